"""An action's card as one reader sees it: the text and the RSVP buttons."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.helpers import create_deep_linked_url

from bot.i18n import Html, ordinal, t
from bot.localtime import show
from storage.actions import Action, ActionState, Answer, Cadence
from views.buttons import ACTION_CADENCE, RSVP

YES, NO, OVER = "y", "n", "over"
ANSWERS = {YES: Answer.YES, NO: Answer.NO}


@dataclass(frozen=True, slots=True)
class View:
    """An action as one reader sees it: text and buttons."""

    text: str
    markup: InlineKeyboardMarkup


def share_link(bot_username: str, action_id: int) -> str:
    return create_deep_linked_url(bot_username, f"action-{action_id}")


def checkin_link(bot_username: str, token: str) -> str:
    return create_deep_linked_url(bot_username, f"checkin-{token}")


def render(
    action: Action,
    zone: ZoneInfo,
    language: str,
    bot_username: str,
    answer: Answer | None = None,
    *,
    open_: bool,
    share: bool = True,
    waiting: int | None = None,
    taken: int = 0,
) -> View:
    """The action's card; the buttons carry the reader's answer (or their place in the
    waitlist's line), or say it is over. An action with a capacity says the places left of
    it with `taken` places taken: as of the moment it is drawn, so an announcement shows it
    as of its sending, and each press redraws the presser's card. The share link is left out
    of the organizer's preview, before the action has an id."""
    text = t(
        language,
        "action_card",
        title=action.title,
        when=show(action.starts_at, zone, language),
        place=action.place,
    )
    if action.capacity is not None and open_:
        left = action.capacity - taken
        text += "\n" + (
            t(language, "places_left", count=left) if left > 0 else t(language, "places_full")
        )
    if action.details:
        text += "\n\n" + t(language, "action_details", details=action.details)
    if share:
        text += "\n\n" + t(language, "action_share", link=share_link(bot_username, action.id))
    if answer is not None:
        text += "\n\n" + t(language, f"your_answer_{answer.value}")
    elif waiting is not None:
        text += "\n\n" + t(language, "your_answer_waiting", place=ordinal(language, waiting))
    markup = rsvp_markup(action, language, answer, open_=open_, waiting=waiting is not None)
    return View(text, markup)


def rsvp_markup(
    action: Action, language: str, answer: Answer | None, *, open_: bool, waiting: bool = False
) -> InlineKeyboardMarkup:
    """I'll be there / Can't make it, the reader's answer marked (⏳ on I'll be there while
    they wait in line); one button saying the action is over or cancelled once it is no
    longer open."""
    if not open_:
        label = (
            "button_action_cancelled"
            if action.state is ActionState.CANCELLED
            else "button_action_over"
        )
        over = InlineKeyboardButton(t(language, label), callback_data=RSVP.data(action.id, OVER))
        return InlineKeyboardMarkup([[over]])
    yes = t(language, "button_yes")
    no = t(language, "button_no")
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    f"✅ {yes}" if answer is Answer.YES else f"⏳ {yes}" if waiting else yes,
                    callback_data=RSVP.data(action.id, YES),
                ),
                InlineKeyboardButton(
                    f"✅ {no}" if answer is Answer.NO else no,
                    callback_data=RSVP.data(action.id, NO),
                ),
            ]
        ]
    )


def planned_reminders(times: Sequence[int], zone: ZoneInfo, language: str) -> str:
    """The preview's word on the reminders chosen: when each would go, on the city's clock."""
    if not times:
        return t(language, "newaction_no_reminders")
    lines = "\n".join(
        f"• {html.escape(show(moment, zone, language), quote=False)}" for moment in times
    )
    return t(language, "newaction_reminders", count=len(times), times=Html(lines))


def cadence_button(chosen: Cadence, language: str) -> tuple[str, str]:
    """The preview's button offering the other cadence: the common one, or back to the
    default (REMINDER_OFFSETS)."""
    other = Cadence.DEFAULT if chosen is Cadence.COMMON else Cadence.COMMON
    return t(language, f"button_cadence_{other.value}"), ACTION_CADENCE.data(other.value)
