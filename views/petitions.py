"""A petition's card as one reader sees it: the demand, the count, and the Sign button."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.helpers import create_deep_linked_url

from bot.i18n import Html, t
from storage.petitions import Petition, PetitionState
from views.actions import View
from views.buttons import FOLLOW_UP, SIGN


def share_link(bot_username: str, petition_id: int) -> str:
    return create_deep_linked_url(bot_username, f"petition-{petition_id}")


def percent(petition: Petition) -> int:
    return petition.signatures * 100 // petition.goal


def render(
    petition: Petition,
    language: str,
    bot_username: str,
    *,
    signed: bool = False,
    follow_up: bool = False,
    share: bool = True,
) -> View:
    """The card: title, target, the demand as its author formatted it, the count against the
    goal, and the Sign button (Signed ✅ once the reader signed; closed once it is closed).
    The share link is left out of the organizer's preview, before the petition has an id."""
    text = t(
        language,
        "petition_card",
        title=petition.title,
        target=petition.target,
        demand=Html(petition.demand),
    )
    text += "\n\n" + t(
        language,
        "petition_count",
        count=petition.signatures,
        goal=petition.goal,
        percent=percent(petition),
    )
    if petition.collect_names:
        text += "\n" + t(language, "petition_names_collected", target=petition.target)
    if share:
        text += "\n" + t(language, "petition_share", link=share_link(bot_username, petition.id))
    return View(text, sign_markup(petition, language, signed=signed, follow_up=follow_up))


def sign_markup(
    petition: Petition, language: str, *, signed: bool, follow_up: bool = False
) -> InlineKeyboardMarkup:
    """Sign; once signed, Signed ✅ and whether to hear when the goal is reached."""
    if petition.state is PetitionState.CLOSED:
        label = t(language, "button_petition_closed")
    elif signed:
        label = t(language, "button_signed")
    else:
        label = t(language, "button_sign")
    rows = [[InlineKeyboardButton(label, callback_data=SIGN.data(petition.id))]]
    # "Tell me how it goes" is one message when the goal is reached: not offered after.
    if signed and petition.state is PetitionState.OPEN and petition.signatures < petition.goal:
        key = "button_stop_follow_up" if follow_up else "button_follow_up"
        data = FOLLOW_UP.data(petition.id, "no" if follow_up else "yes")
        rows.append([InlineKeyboardButton(t(language, key), callback_data=data)])
    return InlineKeyboardMarkup(rows)
