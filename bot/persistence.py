"""Conversations that survive a restart. python-telegram-bot asks a persistence for the state of
each persistent conversation at start-up; Muster's answer is the step each organizer's draft
has reached, from the drafts table that every step writes before it replies. Nothing else
(user, chat or bot data) is persisted: the database holds what matters in tables."""

from __future__ import annotations

from typing import Any

from telegram.ext import BasePersistence, PersistenceInput

from domain.drafts import Drafts
from storage import Database

NOTHING_ELSE = PersistenceInput(
    bot_data=False, chat_data=False, user_data=False, callback_data=False
)
ConversationKey = tuple[int | str, ...]
ConversationDict = dict[ConversationKey, object]


class DraftPersistence(BasePersistence[dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """Conversation states from the drafts table, keyed as python-telegram-bot keys a
    conversation per chat and user: (chat id, user id), the same number in a private chat."""

    def __init__(self, db: Database, drafts: Drafts) -> None:
        super().__init__(store_data=NOTHING_ELSE, update_interval=60)
        self.db = db
        self.drafts = drafts

    async def get_conversations(self, name: str) -> ConversationDict:
        # python-telegram-bot asks while the Application initialises, before post_init.
        await self.db.open()
        return {(user, user): step for user, step in (await self.drafts.steps(name)).items()}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        """Each step writes its draft and state itself as it ends. This copy, made up to a
        minute later, could only be older, so it writes nothing; a conversation that ended
        without a step (its timeout) has its draft dropped."""
        user_id = key[-1]
        if new_state is None and isinstance(user_id, int):
            await self.drafts.drop(user_id, name)

    # Nothing else is kept.
    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_bot_data(self) -> dict[Any, Any]:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        """Not kept."""

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        """Not kept."""

    async def update_bot_data(self, data: dict[Any, Any]) -> None:
        """Not kept."""

    async def update_callback_data(self, data: Any) -> None:
        """Not kept."""

    async def drop_chat_data(self, chat_id: int) -> None:
        """Not kept."""

    async def drop_user_data(self, user_id: int) -> None:
        """Not kept."""

    async def refresh_user_data(self, user_id: int, user_data: dict[Any, Any]) -> None:
        """Not kept."""

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        """Not kept."""

    async def refresh_bot_data(self, bot_data: dict[Any, Any]) -> None:
        """Not kept."""

    async def flush(self) -> None:
        """Every step is written as it happens."""
