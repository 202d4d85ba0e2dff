"""Self tests: a plain discord.py bot (not Hearth) driven end to end through the emulator."""

from __future__ import annotations

import asyncio
import io
import re
from typing import Any

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.emulator import CommandInvocationError, Emulator
from tests.emulator.runner import running_bot


class Toggle(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"selftest:toggle:(?P<id>\d+)"):
    """A persistent button whose id lives in its custom_id."""

    def __init__(self, item_id: int) -> None:
        super().__init__(discord.ui.Button(label="Toggle", custom_id=f"selftest:toggle:{item_id}"))
        self.item_id = item_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> Toggle:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.edit_message(content=f"toggled {self.item_id}")


class Feedback(discord.ui.Modal, title="Feedback"):
    text: discord.ui.TextInput[Any] = discord.ui.TextInput(label="How are you?", custom_id="fb_text")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"thanks ({len(self.text.value)} chars)", ephemeral=True)


class LabelModal(discord.ui.Modal, title="Label modal"):
    mood: discord.ui.Label[Any] = discord.ui.Label(
        text="Mood",
        component=discord.ui.Select(
            custom_id="mood",
            options=[discord.SelectOption(label="ok", value="ok"), discord.SelectOption(label="low", value="low")],
        ),
    )
    note: discord.ui.Label[Any] = discord.ui.Label(
        text="Note", component=discord.ui.TextInput(custom_id="note", required=False)
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        assert isinstance(self.mood.component, discord.ui.Select)
        assert isinstance(self.note.component, discord.ui.TextInput)
        await interaction.response.send_message(
            f"mood={self.mood.component.values[0]} note={self.note.component.value}", ephemeral=True
        )


class SelfTestBot(commands.Bot):
    """A minimal bot that records the messages it receives."""

    def __init__(self, emu: Emulator, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.emu = emu
        self.received: list[discord.Message] = []

    async def setup_hook(self) -> None:
        self.add_dynamic_items(Toggle)
        guild = discord.Object(self.emu.guild_id)
        self.tree.copy_global_to(guild=guild)
        await self.tree.sync(guild=guild)

    async def on_message(self, message: discord.Message) -> None:
        self.received.append(message)


def make_bot(emu: Emulator, *, intents: discord.Intents | None = None) -> SelfTestBot:
    bot = SelfTestBot(
        emu,
        command_prefix="!",
        intents=intents or discord.Intents.all(),
        guild_ready_timeout=0.1,
        allowed_mentions=discord.AllowedMentions.none(),
    )
    tree = bot.tree

    settings = app_commands.Group(name="settings", description="Settings")
    notify = app_commands.Group(name="notify", description="Notifications", parent=settings)

    @notify.command(name="set", description="Set reminder")
    @app_commands.choices(
        kind=[app_commands.Choice(name="Daily", value="daily"), app_commands.Choice(name="Weekly", value="weekly")]
    )
    async def notify_set(
        interaction: discord.Interaction,
        kind: app_commands.Choice[str],
        hour: app_commands.Range[int, 0, 23],
        who: discord.Member,
    ) -> None:
        assert isinstance(hour, int)
        await interaction.response.send_message(f"{kind.value} at {hour} for {who.id}", ephemeral=True)

    tree.add_command(settings)

    @tree.command(name="report", description="Make a report")
    async def report(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.followup.send("here it is", file=discord.File(io.BytesIO(b"col\n1\n"), "report.csv"))

    @tree.command(name="feedback", description="Open a modal")
    async def feedback(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(Feedback())

    @tree.command(name="labelled", description="Open a modal with labels")
    async def labelled(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(LabelModal())

    @tree.command(name="post", description="Post a toggle")
    async def post(interaction: discord.Interaction) -> None:
        view = discord.ui.View(timeout=None)
        view.add_item(Toggle(7))
        await interaction.response.send_message("press it", view=view)

    @tree.command(name="fruit", description="Pick a fruit")
    async def fruit(interaction: discord.Interaction, name: str) -> None:
        await interaction.response.send_message(f"picked {name}", ephemeral=True)

    @fruit.autocomplete("name")
    async def fruit_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        fruits = ["apple", "apricot", "banana"]
        return [app_commands.Choice(name=f, value=f) for f in fruits if f.startswith(current)]

    @tree.context_menu(name="Quote privately")
    async def quote(interaction: discord.Interaction, message: discord.Message) -> None:
        await interaction.response.send_message(f"message {message.id}", ephemeral=True)

    return bot


async def wait_received(bot: SelfTestBot, predicate: Any, timeout: float = 5) -> discord.Message:  # noqa: ASYNC109
    async with asyncio.timeout(timeout):
        while True:
            for m in bot.received:
                if predicate(m):
                    return m
            await asyncio.sleep(0.01)


async def test_login_sees_seeded_guild(emulator: Emulator) -> None:
    role = emulator.add_role("Participant", permissions=1 << 10)
    category = emulator.add_channel("Groups", type=4)
    channel = emulator.add_channel("check-ins", parent_id=category)
    alice = emulator.add_member("alice", roles=[role])
    async with running_bot(make_bot(emulator), emulator) as bot:
        guild = bot.get_guild(emulator.guild_id)
        assert guild is not None and not guild.unavailable
        assert guild.default_role.id == emulator.guild_id
        assert guild.get_role(role) is not None
        ch = guild.get_channel(channel)
        assert isinstance(ch, discord.TextChannel) and ch.category_id == category
        member = guild.get_member(alice)
        assert member is not None and [r.id for r in member.roles] == [emulator.guild_id, role]
        assert guild.me.id == emulator.bot_user_id
    assert [c["name"] for c in emulator.state.commands if c["type"] == 1] == [
        "settings",
        "report",
        "feedback",
        "labelled",
        "post",
        "fruit",
    ]


async def test_bad_token_is_rejected(emulator: Emulator) -> None:
    bot = make_bot(emulator)
    with emulator.patch_discord(), pytest.raises(discord.LoginFailure):
        await bot.login("wrong")
    await bot.close()
    assert emulator.requests[-1].status == 401


async def test_slash_subcommand_group_typed_options_ephemeral(emulator: Emulator) -> None:
    alice = emulator.add_member("alice")
    bob = emulator.add_member("bob")
    async with running_bot(make_bot(emulator), emulator):
        handle = await emulator.invoke_slash(
            "settings", subcommand="notify set", user_id=alice, options={"kind": "weekly", "hour": 9, "who": bob}
        )
        response = await handle.wait_response()
        assert response["type"] == 4
        assert handle.ephemeral
        assert handle.original_message is not None
        assert handle.original_message["content"] == f"weekly at 9 for {bob}"
        options = handle.payload["data"]["options"][0]["options"][0]["options"]
        assert {o["name"]: o["value"] for o in options}["hour"] == 9
        with pytest.raises(CommandInvocationError, match="hour"):
            await emulator.invoke_slash(
                "settings", subcommand="notify set", user_id=alice, options={"kind": "daily", "hour": 30, "who": bob}
            )
        with pytest.raises(CommandInvocationError, match="choices"):
            await emulator.invoke_slash(
                "settings", subcommand="notify set", user_id=alice, options={"kind": "hourly", "hour": 1, "who": bob}
            )
        with pytest.raises(LookupError, match="not synced"):
            await emulator.invoke_slash("nope", user_id=alice)


async def test_defer_then_followup_with_file(emulator: Emulator) -> None:
    alice = emulator.add_member("alice")
    async with running_bot(make_bot(emulator), emulator):
        handle = await emulator.invoke_slash("report", user_id=alice)
        assert (await handle.wait_response())["type"] == 5
        followup = await handle.wait_followup()
        assert handle.deferred and handle.ephemeral
        assert followup["content"] == "here it is"
        assert handle.attachments == [("report.csv", b"col\n1\n")]
        assert followup["attachments"][0]["filename"] == "report.csv"
        async with aiohttp.ClientSession() as session, session.get(followup["attachments"][0]["url"]) as resp:
            assert await resp.read() == b"col\n1\n"


async def test_modal_open_and_submit(emulator: Emulator) -> None:
    alice = emulator.add_member("alice")
    async with running_bot(make_bot(emulator), emulator):
        handle = await emulator.invoke_slash("feedback", user_id=alice)
        await handle.wait_response()
        assert handle.modal is not None
        submit = await emulator.submit_modal(handle.modal["custom_id"], {"fb_text": "pretty good"}, user_id=alice)
        await submit.wait_response()
        assert submit.original_message is not None
        assert submit.original_message["content"] == "thanks (11 chars)"

        labelled = await emulator.invoke_slash("labelled", user_id=alice)
        await labelled.wait_response()
        assert labelled.modal is not None
        assert labelled.modal["components"][0]["type"] == 18
        submit = await emulator.submit_modal(
            labelled.modal["custom_id"], {"mood": ["low"], "note": "tired"}, user_id=alice
        )
        await submit.wait_response()
        assert submit.original_message is not None
        assert submit.original_message["content"] == "mood=low note=tired"


async def test_persistent_dynamic_button(emulator: Emulator) -> None:
    alice = emulator.add_member("alice")
    channel = emulator.add_channel("general")
    async with running_bot(make_bot(emulator), emulator):
        handle = await emulator.invoke_slash("post", user_id=alice, channel_id=channel)
        await handle.wait_response()
        message = await emulator.wait_for_message(channel, lambda m: m["content"] == "press it")
    # A restarted bot still handles the button: DynamicItem matches on custom_id alone.
    async with running_bot(make_bot(emulator), emulator):
        click = await emulator.click_button(message, "selftest:toggle:7", user_id=alice)
        assert (await click.wait_response())["type"] == 7
        assert emulator.state.all_messages[int(message["id"])]["content"] == "toggled 7"


async def test_autocomplete_and_message_command(emulator: Emulator) -> None:
    alice = emulator.add_member("alice")
    channel = emulator.add_channel("general")
    async with running_bot(make_bot(emulator), emulator):
        choices = await emulator.invoke_autocomplete("fruit", user_id=alice, focused="name", value="ap")
        assert [c["value"] for c in choices] == ["apple", "apricot"]
        msg = await emulator.send_message(channel, alice, "hello")
        handle = await emulator.invoke_message_command("Quote privately", user_id=alice, message=msg)
        await handle.wait_response()
        assert handle.original_message is not None
        assert handle.original_message["content"] == f"message {msg['id']}"


async def test_send_to_channel_and_dm(emulator: Emulator) -> None:
    alice = emulator.add_member("alice")
    channel = emulator.add_channel("general")
    async with running_bot(make_bot(emulator), emulator) as bot:
        ch = bot.get_channel(channel)
        assert isinstance(ch, discord.TextChannel)
        sent = await ch.send("hello channel", embed=discord.Embed(title="t", description="d"))
        msg = await emulator.wait_for_message(channel)
        assert int(msg["id"]) == sent.id and msg["embeds"][0]["title"] == "t"
        user = await bot.fetch_user(alice)
        await user.send("hello dm")
        dm = await emulator.wait_for_dm(alice)
        assert dm["content"] == "hello dm"
        # the person answers in DM and in the channel; the bot receives both
        await emulator.send_dm(alice, "hi bot")
        await emulator.send_message(channel, alice, "hi all")
        got = await wait_received(bot, lambda m: m.content == "hi bot")
        assert isinstance(got.channel, discord.DMChannel)
        await wait_received(bot, lambda m: m.content == "hi all")


async def test_429_then_success_delivers_once(emulator: Emulator) -> None:
    channel = emulator.add_channel("alerts")
    async with running_bot(make_bot(emulator), emulator) as bot:
        emulator.fail_next("POST", "/channels/*/messages", status=429, retry_after=0.05)
        ch = bot.get_channel(channel)
        assert isinstance(ch, discord.TextChannel)
        await ch.send("alert")
        posts = [r for r in emulator.requests if r.method == "POST" and r.path == f"/channels/{channel}/messages"]
        assert [r.status for r in posts] == [429, 200]
        assert [m["content"] for m in emulator.bot_messages(channel)] == ["alert"]


async def test_500_then_success(emulator: Emulator) -> None:
    channel = emulator.add_channel("alerts")
    async with running_bot(make_bot(emulator), emulator) as bot:
        emulator.fail_next("POST", rf"/channels/{channel}/messages", status=500)
        ch = bot.get_channel(channel)
        assert isinstance(ch, discord.TextChannel)
        await ch.send("alert")  # discord.py retries 500 after ~1 s
        assert [m["content"] for m in emulator.bot_messages(channel)] == ["alert"]
        assert [r.status for r in emulator.requests if r.method == "POST"][-2:] == [500, 200]


async def test_drop_next_cuts_the_connection_before_or_after_handling(emulator: Emulator) -> None:
    import aiohttp

    channel = emulator.add_channel("alerts")
    async with running_bot(make_bot(emulator), emulator) as bot:
        ch = bot.get_channel(channel)
        assert isinstance(ch, discord.TextChannel)
        emulator.drop_next("POST", f"/channels/{channel}/messages")
        with pytest.raises(aiohttp.ClientError):
            await ch.send("lost")
        assert emulator.bot_messages(channel) == []
        emulator.drop_next("POST", f"/channels/{channel}/messages", after_handling=True)
        with pytest.raises(aiohttp.ClientError):
            await ch.send("made, answer lost")
        assert [m["content"] for m in emulator.bot_messages(channel)] == ["made, answer lost"]
        await ch.send("fine")  # the next request is answered normally
        assert emulator.requests[-1].status == 200


async def test_closed_dms_raise_forbidden_50007(emulator: Emulator) -> None:
    alice = emulator.add_member("alice")
    emulator.closed_dms.add(alice)
    async with running_bot(make_bot(emulator), emulator) as bot:
        user = await bot.fetch_user(alice)
        with pytest.raises(discord.Forbidden) as info:
            await user.send("hello")
        assert info.value.code == 50007
        emulator.fail_next("POST", "/channels/*/messages", status=403, code=50013)
        channel = bot.get_channel(emulator.add_channel("x"))
        await asyncio.sleep(0.05)  # let CHANNEL_CREATE reach the client cache
        channel = bot.get_channel(int(emulator.channel_by_name("x")["id"]))
        assert isinstance(channel, discord.TextChannel)
        with pytest.raises(discord.Forbidden) as info:
            await channel.send("x")
        assert info.value.code == 50013


async def test_gateway_reconnect_resumes_and_replays(emulator: Emulator) -> None:
    alice = emulator.add_member("alice")
    channel = emulator.add_channel("general")
    async with running_bot(make_bot(emulator), emulator) as bot:
        resumed = asyncio.Event()

        async def on_resumed() -> None:
            resumed.set()

        bot.add_listener(on_resumed)
        await emulator.gateway_reconnect(wait=False)
        await emulator.send_message(channel, alice, "sent while reconnecting")  # replayed after RESUME
        await asyncio.wait_for(resumed.wait(), 5)
        await wait_received(bot, lambda m: m.content == "sent while reconnecting")
        await emulator.send_message(channel, alice, "after resume")
        await wait_received(bot, lambda m: m.content == "after resume")
        assert emulator.gateway.identify_count == 1 and emulator.gateway.resume_count == 1


async def test_second_client_sees_persistent_state(emulator: Emulator) -> None:
    async with running_bot(make_bot(emulator), emulator) as bot:
        guild = bot.get_guild(emulator.guild_id)
        assert guild is not None
        created = await guild.create_text_channel("made-by-first")
        await created.send("first run")
        role = await guild.create_role(name="Made", permissions=discord.Permissions(send_messages=True))
    async with running_bot(make_bot(emulator), emulator) as bot:
        guild = bot.get_guild(emulator.guild_id)
        assert guild is not None
        channel = guild.get_channel(created.id)
        assert isinstance(channel, discord.TextChannel)
        assert [m.content async for m in channel.history(limit=5)] == ["first run"]
        assert guild.get_role(role.id) is not None
    assert emulator.gateway.identify_count == 2


async def test_allowed_mentions_none_means_no_pings(emulator: Emulator) -> None:
    alice = emulator.add_member("alice")
    role = emulator.add_role("Staff")
    channel = emulator.add_channel("general")
    async with running_bot(make_bot(emulator), emulator) as bot:
        ch = bot.get_channel(channel)
        assert isinstance(ch, discord.TextChannel)
        await ch.send(f"<@{alice}> <@&{role}> @everyone")  # bot default is AllowedMentions.none()
        quiet = await emulator.wait_for_message(channel)
        assert quiet["mentions"] == [] and quiet["mention_roles"] == [] and not quiet["mention_everyone"]
        await ch.send(f"<@{alice}> <@&{role}>", allowed_mentions=discord.AllowedMentions(roles=[discord.Object(role)]))
        loud = emulator.bot_messages(channel)[-1]
        assert loud["mentions"] == [] and loud["mention_roles"] == [str(role)]


async def test_guild_admin_operations_update_client_cache(emulator: Emulator) -> None:
    alice = emulator.add_member("alice")
    async with running_bot(make_bot(emulator), emulator) as bot:
        guild = bot.get_guild(emulator.guild_id)
        assert guild is not None
        role = await guild.create_role(name="On Call")
        member = guild.get_member(alice)
        assert member is not None
        await member.add_roles(role)
        assert str(role.id) in emulator.state.members[alice]["roles"]
        await asyncio.sleep(0.05)
        assert role in member.roles  # via GUILD_MEMBER_UPDATE
        await member.timeout(discord.utils.utcnow() + __import__("datetime").timedelta(minutes=10))
        assert emulator.state.members[alice]["communication_disabled_until"] is not None
        await member.remove_roles(role)
        private = await guild.create_text_channel(
            "private",
            overwrites={
                guild.default_role: discord.PermissionOverwrite(view_channel=False),
                member: discord.PermissionOverwrite(view_channel=True),
            },
        )
        stored = emulator.state.channels[private.id]
        assert {o["id"] for o in stored["permission_overwrites"]} == {str(guild.id), str(alice)}
        await private.edit(slowmode_delay=30, topic="quiet")
        assert emulator.state.channels[private.id]["rate_limit_per_user"] == 30
        await private.set_permissions(member, overwrite=None)
        sent = await private.send("pin me")
        await sent.pin()
        await sent.add_reaction("✅")
        assert emulator.state.pins[private.id] == [sent.id]
        assert emulator.state.reactions[sent.id] == {"✅": [emulator.bot_user_id]}
        thread = await private.create_thread(name="support", type=discord.ChannelType.private_thread)
        await thread.add_user(member)
        assert emulator.state.thread_members[thread.id] == {emulator.bot_user_id, alice}
        await role.delete()
        await private.delete()
        assert private.id not in emulator.state.channels


async def test_without_message_content_intent_content_is_blank(emulator: Emulator) -> None:
    alice = emulator.add_member("alice")
    channel = emulator.add_channel("general")
    intents = discord.Intents.default()  # no message_content, no members
    async with running_bot(make_bot(emulator, intents=intents), emulator) as bot:
        await emulator.send_message(channel, alice, "secret words")
        got = await wait_received(bot, lambda m: m.author.id == alice)
        assert got.content == ""
        await emulator.send_dm(alice, "dm words")
        got = await wait_received(bot, lambda m: isinstance(m.channel, discord.DMChannel))
        assert got.content == "dm words"


async def test_enforce_nonce_deduplicates(emulator: Emulator) -> None:
    channel = emulator.add_channel("alerts")
    async with running_bot(make_bot(emulator), emulator) as bot:
        ch = bot.get_channel(channel)
        assert isinstance(ch, discord.TextChannel)
        first = await ch.send("once", nonce="alert-1")
        # discord.py sets enforce_nonce whenever a nonce is given
        second = await ch.send("once", nonce="alert-1")
        assert first.id == second.id
        assert len(emulator.bot_messages(channel)) == 1


async def test_openapi_violation_is_reported(emulator: Emulator, openapi_required: Any) -> None:
    openapi_required()
    channel = emulator.add_channel("general")
    headers = {"Authorization": f"Bot {emulator.token}"}
    async with aiohttp.ClientSession() as session:
        body = {"content": "x", "embeds": [{"title": "t" * 300}]}
        async with session.post(f"{emulator.api_base}/channels/{channel}/messages", json=body, headers=headers) as r:
            assert r.status == 400  # Discord would also refuse it
        async with session.post(
            f"{emulator.api_base}/channels/{channel}/messages", json={"content": 5}, headers=headers
        ) as r:
            pass
    problems = emulator.take_problems()
    assert any("embeds[0].title" in p and "too long" in p for p in problems), problems
    assert any("$.content" in p for p in problems), problems


async def test_unhandled_route_is_reported(emulator: Emulator) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(
            f"{emulator.api_base}/guilds/{emulator.guild_id}/audit-logs",
            headers={"Authorization": f"Bot {emulator.token}"},
        ) as r,
    ):
        assert r.status == 404
        assert r.headers["Content-Type"] == "application/json"
    problems = emulator.take_problems()
    assert problems == [f"unhandled route: GET /guilds/{emulator.guild_id}/audit-logs"]
