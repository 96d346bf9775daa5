"""Blocking: Telegram tells us through my_chat_member; a blocked supporter is skipped."""

from __future__ import annotations

from telegram import ChatMember, Update
from telegram.ext import BaseHandler, ChatMemberHandler

from bot.context import MusterContext


async def membership_changed(update: Update, context: MusterContext) -> None:
    """Marks a supporter who blocked the bot unreachable. Unblocking changes nothing by itself:
    the supporter comes back with /start, which Telegram sends when they press Restart."""
    change = update.my_chat_member
    if change is None or change.chat.type != "private":
        return
    if change.new_chat_member.status == ChatMember.BANNED:
        await context.supporters.lost(change.from_user.id)


def handlers() -> list[BaseHandler[Update, MusterContext, None]]:
    return [ChatMemberHandler(membership_changed, ChatMemberHandler.MY_CHAT_MEMBER)]
