"""Identifiers of every sentence Peerline says or texts; the words are in ``ivr.catalogue``.

One enum for every audience (callers, texters, supporters, coordinators) so that a
sentence is named in code and worded in exactly one place per channel.
"""

from __future__ import annotations

from enum import StrEnum


class Msg(StrEnum):
    # -- the intake flow (voice and text) ----------------------------------------------
    SAFETY = "safety"
    SPANISH_OFFER = "spanish_offer"
    ENGLISH_STAY = "english_stay"
    CONFIDENTIALITY = "confidentiality"
    NO_INPUT = "no_input"
    INVALID = "invalid"
    ASK_ROLE = "ask_role"
    ASK_URGENCY = "ask_urgency"
    ASK_ORG_PREF = "ask_org_pref"
    ASK_ORG_NAME = "ask_org_name"
    ORG_NOT_HEARD = "org_not_heard"
    ASK_CONTACT = "ask_contact"
    ASK_CALLBACK_WINDOW = "ask_callback_window"
    ASK_OTHER_ROLE = "ask_other_role"  # {role}: if none is free then, may another role call?
    ASK_OTHER_LANGUAGE = "ask_other_language"  # may a peer call in English?
    ASK_FOLLOW_UP = "ask_follow_up"  # the last question: may we text you once after the call?
    ASK_CALLBACK_NUMBER = "ask_callback_number"
    ASK_OTHER_NUMBER = "ask_other_number"  # the caller ID is one we may not call
    ASK_NUMBER_AGAIN = "ask_number_again"
    BAD_NUMBER = "bad_number"
    NUMBER_US_ONLY = "number_us_only"
    NUMBER_COUNTRY = "number_country"
    NUMBER_REFUSED = "number_refused"
    READ_BACK = "read_back"  # "You entered {digits}.": the edge supplies the digits
    CONFIRM_NUMBER = "confirm_number"
    NUMBER_NOT_NEEDED = "number_not_needed"
    CRISIS_REMINDER = "crisis_reminder"
    CONFIRM_HOLD = "confirm_hold"
    CONFIRM_CALLBACK = "confirm_callback"
    ETA_URGENT = "eta_urgent"
    ETA_SOON = "eta_soon"
    ETA_ROUTINE = "eta_routine"
    WINDOW_ASAP = "window_asap"
    WINDOW_MORNING = "window_morning"
    WINDOW_AFTERNOON = "window_afternoon"
    WINDOW_EVENING = "window_evening"
    CRISIS_CONNECTING = "crisis_connecting"
    CRISIS_FAILED = "crisis_failed"
    GOODBYE = "goodbye"
    CONFIRM_TEXT_FIRST = "confirm_text_first"
    CRISIS_TEXT = "crisis_text"  # SMS: the crisis answer to 9 or to risk language
    INTRO = "intro"  # SMS: who is texting, for a welcome that follows the crisis numbers
    TEXTER_US_ONLY = "texter_us_only"  # SMS: a number abroad; we can't call it back
    TEXTER_NOT_CALLABLE = "texter_not_callable"  # SMS: a number we may not call back
    TEXT_APOLOGY = "text_apology"  # SMS: we could not read the text now; kept for later
    HOLD_FIRST = "hold_first"
    HOLD_AGAIN = "hold_again"
    HOLD_GIVE_UP = "hold_give_up"
    HOLD_GIVE_UP_NO_NUMBER = "hold_give_up_no_number"
    TECHNICAL_PROBLEM = "technical_problem"
    TURNED_AWAY = "turned_away"  # over a rate limit: no intake, but 911 and 988
    RISK_HEARD = "risk_heard"  # voice: the risk screen matched a spoken answer
    # -- the caller's legs after intake (voice) ---------------------------------------
    CALLER_JOIN = "caller_join"
    CALLBACK_HELLO = "callback_hello"
    CALLBACK_NOT_NOW = "callback_not_now"
    CALLBACK_PEER_LEFT = "callback_peer_left"  # the supporter left first: offered again
    CALLBACK_DECLINE_KEY = "callback_decline_key"  # "no longer need this call? press 2"
    CALLBACK_DECLINED = "callback_declined"
    NOBODY_NOW = "nobody_now"
    WIDEN_ROLE_NOW = "widen_role_now"  # holding: no {role} free; 1 another role, 2 call back
    WIDEN_ROLE_WAIT = "widen_role_wait"  # the same, number withheld: 2 keeps waiting
    WIDEN_LANGUAGE_NOW = "widen_language_now"  # no Spanish speaker free; 1 English now
    WIDEN_LANGUAGE_WAIT = "widen_language_wait"
    WIDEN_KEPT = "widen_kept"  # 2: all right, we keep your request and call you back
    # -- the supporter's leg (voice) --------------------------------------------------
    OFFER_WHISPER = "offer_whisper"  # {who} needs peer support {when}
    OFFER_IN_SPANISH = "offer_in_spanish"
    OFFER_ENGLISH_OK = "offer_english_ok"  # a Spanish speaker who agreed to English
    OFFER_KEYS = "offer_keys"
    ACCEPTED_HOLD = "accepted_hold"
    ACCEPTED_CALLBACK = "accepted_callback"
    ACCEPTED_TEXT_FIRST = "accepted_text_first"
    OFFER_DECLINED = "offer_declined"
    OFFER_GONE = "offer_gone"
    CALLER_LEFT = "caller_left"
    NO_LONGER_WAITING = "no_longer_waiting"
    CALLER_NOT_REACHED = "caller_not_reached"
    CALLER_LATER = "caller_later"  # the caller's call-back window closed meanwhile
    CANNOT_CALL_CALLER = "cannot_call_caller"  # the call back was refused for good
    CONFERENCE_WAIT = "conference_wait"
    HELP_MENU = "help_menu"  # the supporter pressed *: 1 add 988, 2 page, 3 back
    HELP_CRISIS_ADDED = "help_crisis_added"
    HELP_PAGED = "help_paged"
    HELP_BACK = "help_back"
    HELP_CALL_ENDED = "help_call_ended"  # the caller left while the supporter was out
    SUPPORTER_LEFT = "supporter_left"  # the caller hears it when their supporter hangs up
    # -- texts to callers -------------------------------------------------------------
    HELP = "help"
    POSTPONED = "postponed"
    REQUEST_OPEN = "request_open"
    TEXT_FIRST_NOTICE = "text_first_notice"
    WEB_CONFIRMATION = "web_confirmation"  # a request from the web form, text me first
    SCHEDULED_CALL = "scheduled_call"  # a coordinator's text: the call comes {day} {window}
    REQUEST_EXPIRED = "request_expired"  # nobody reached them in time: 988 and the hotline
    # -- texts to supporters and coordinators ------------------------------------------
    SUPPORTER_HELP = "supporter_help"
    SUPPORTER_AVAILABLE = "supporter_available"
    SUPPORTER_AWAY = "supporter_away"
    SUPPORTER_AWAY_UNTIL = "supporter_away_until"
    SUPPORTER_STATUS = "supporter_status"  # you're {state}; {used} of {cap} min
    SUPPORTER_TRAINING_LAPSED = "supporter_training_lapsed"  # refresher overdue since {due}
    OFFERS_BY_PHONE = "offers_by_phone"
    COORDINATOR_HELP = "coordinator_help"
    ACK_YOURS = "ack_yours"
    ACK_ALREADY = "ack_already"
    ACK_NO_TICKET = "ack_no_ticket"
    COORDINATOR_STATUS = "coordinator_status"
    COORDINATOR_COVER = "coordinator_cover"
    COVERAGE_TOMORROW = "coverage_tomorrow"  # the daily text: tomorrow's gaps
    COVERAGE_ASKS = "coverage_asks"  # COVER when tomorrow has gaps: whom to ask
    PAGE_WAITING = "page_waiting"  # ticket, urgency, minutes waited
    PAGE_GROUPED = "page_grouped"  # waiting, urgent, the oldest (urgent) ticket
    PAGE_EXPIRED = "page_expired"  # ticket, urgency: nobody reached the caller in time
    PAGE_NOT_REACHED = "page_not_reached"  # ticket, urgency, call backs tried; expired
    CLOSE_DONE = "close_done"
    CLOSE_ENDED = "close_ended"  # the ticket had already ended
    CLOSE_IN_CALL = "close_in_call"  # a supporter has it: it closes when the call ends
    PAGE_RISK = "page_risk"  # risk language in a text
    PAGE_CRISIS_KEY = "page_crisis_key"  # a texter asked for the crisis line (9)
    PAGE_RISK_CALL = "page_risk_call"  # risk language in a spoken answer on a call
    # -- after the call, to the supporter -------------------------------------------------
    SELF_CARE = "self_care"  # thanks; reply 1 if you're fine, 2 for a debrief
    SELF_CARE_LONG = "self_care_long"  # the same after a long call, naming the cool-off
    SELF_CARE_FINE = "self_care_fine"
    SELF_CARE_DEBRIEF = "self_care_debrief"  # a coordinator will reach out
    PAGE_DEBRIEF = "page_debrief"  # to the on-call coordinator: {name} asked for a debrief
    PAGE_HELP = "page_help"  # {name} pressed * and asked for a coordinator during a call
    # -- after the call, to a caller who said yes to one follow-up text --------------------
    FOLLOW_UP_OFFER = "follow_up_offer"  # talk again with the same peer? Reply 1 (2: no)
    FOLLOW_UP_ACCEPTED = "follow_up_accepted"
    FOLLOW_UP_DECLINED = "follow_up_declined"
    FOLLOW_UP_LAST = "follow_up_last"  # after the episode's last session: thanks only
    FEEDBACK_HELPED = "feedback_helped"  # optional: did it help? 1-5
    FEEDBACK_RECOMMEND = "feedback_recommend"  # optional: recommend it to a colleague? yes/no
    FEEDBACK_THANKS = "feedback_thanks"  # {hotline}
    PAGE_RISK_WEB = "page_risk_web"  # risk language typed into the web request form
