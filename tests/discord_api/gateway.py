"""The gateway websocket: HELLO, IDENTIFY → READY and GUILD_CREATE, heartbeats, compression."""

from __future__ import annotations

import asyncio
import json
import uuid
import zlib
from collections.abc import Callable
from typing import Any

from aiohttp import WSMsgType, web

from tests.discord_api.core import GUILD_MEMBERS, GUILDS, PRIVILEGED_INTENTS, State
from tests.discord_api.world import JSON

HELLO, HEARTBEAT, IDENTIFY, PRESENCE, VOICE, RESUME, MEMBERS, INVALID, ACK = (
    10,
    1,
    2,
    3,
    4,
    6,
    8,
    9,
    11,
)


def zstd_packer() -> Callable[[bytes], bytes] | None:
    """A zstd stream compressor from the same library discord.py would decompress with."""
    try:
        import zstandard  # type: ignore[import-not-found]
    except ImportError:
        try:
            from compression import zstd  # type: ignore[import-not-found]
        except ImportError:
            return None
        compressor = zstd.ZstdCompressor()
        return lambda data: compressor.compress(data, mode=zstd.ZstdCompressor.FLUSH_BLOCK)
    stream = zstandard.ZstdCompressor().compressobj()
    return lambda data: stream.compress(data) + stream.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK)


def zlib_packer() -> Callable[[bytes], bytes]:
    """One zlib stream for the connection; each message ends in Z_SYNC_FLUSH (00 00 ff ff)."""
    stream = zlib.compressobj()
    return lambda data: stream.compress(data) + stream.flush(zlib.Z_SYNC_FLUSH)


class Session:
    """One gateway connection; sends are serialised, keeping sequence and stream in order."""

    def __init__(self, ws: web.WebSocketResponse, pack: Callable[[bytes], bytes] | None) -> None:
        self.ws = ws
        self.pack = pack
        self.lock = asyncio.Lock()
        self.seq = 0
        self.session_id: str | None = None
        self.intents = 0
        self.ready = False  # READY and every GUILD_CREATE are sent
        self.heartbeats = 0
        self.last_beat: int | None = None  # the sequence the client's last heartbeat carried
        self.closed = False

    async def send(self, payload: JSON) -> None:
        """Send one frame."""
        async with self.lock:
            await self._send(payload)

    async def dispatch(self, event: str, data: JSON) -> None:
        """Send one dispatch (op 0) with the next sequence number."""
        async with self.lock:
            self.seq += 1
            await self._send({"op": 0, "t": event, "s": self.seq, "d": data})

    async def _send(self, payload: JSON) -> None:
        payload = {"s": None, "t": None, **payload}
        text = json.dumps(payload)
        if self.pack is None:
            await self.ws.send_str(text)
        else:
            await self.ws.send_bytes(self.pack(text.encode()))


class Gateway:
    """Serves ws://.../gateway/ and delivers dispatches to the identified client."""

    def __init__(self, state: State, url: Callable[[], str], privileged: int) -> None:
        self.state = state
        self.url = url
        self.privileged = privileged  # the privileged intents the application has enabled
        self.heartbeat_interval = 41_250
        self.sessions: list[Session] = []
        self.current: Session | None = None
        self.frames: list[JSON] = []  # everything the client sent
        self.queries: list[dict[str, str]] = []  # each connection's query string

    async def handler(self, request: web.Request) -> web.WebSocketResponse:
        """aiohttp's handler for the gateway websocket."""
        query = dict(request.query)
        self.queries.append(query)
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        pack: Callable[[bytes], bytes] | None = None
        if query.get("compress") == "zlib-stream":
            pack = zlib_packer()
        elif query.get("compress") == "zstd-stream":
            pack = zstd_packer()
            if pack is None:
                await ws.close(code=4000, message=b"zstd-stream without a zstd library")
                return ws
        if query.get("v") != "10":
            await ws.close(code=4012, message=b"Invalid API version")
            return ws
        if query.get("encoding", "json") != "json":
            await ws.close(code=4002, message=b"Error while decoding payload.")
            return ws
        session = Session(ws, pack)
        self.sessions.append(session)
        await session.send({"op": HELLO, "d": {"heartbeat_interval": self.heartbeat_interval}})
        try:
            async for message in ws:
                if message.type is not WSMsgType.TEXT:
                    await ws.close(code=4002, message=b"Error while decoding payload.")
                    break
                await self._receive(session, message.data)
        finally:
            session.closed = True
            if self.current is session:
                self.current = None
            self.state.ledger.changed()
        return ws

    async def _receive(self, session: Session, text: str) -> None:
        try:
            frame = json.loads(text)
            op, data = frame["op"], frame.get("d")
        except (ValueError, KeyError, TypeError):
            await session.ws.close(code=4002, message=b"Error while decoding payload.")
            return
        self.frames.append(frame)
        if op == HEARTBEAT:
            session.heartbeats += 1
            session.last_beat = data
            await session.send({"op": ACK})
            self.state.ledger.changed()
        elif op == IDENTIFY:
            await self._identify(session, data)
        elif op == RESUME:
            await self._resume(session, data)
        elif op == MEMBERS:
            await self._members(session, data)
        elif op not in (PRESENCE, VOICE):
            await session.ws.close(code=4001, message=b"Unknown opcode.")

    async def _identify(self, session: Session, data: Any) -> None:
        if session.session_id is not None:
            await session.ws.close(code=4005, message=b"Already authenticated.")
            return
        intents = data.get("intents") if isinstance(data, dict) else None
        if not isinstance(intents, int) or not isinstance(data.get("token"), str):
            await session.ws.close(code=4013, message=b"Invalid intent(s).")
            return
        if intents & PRIVILEGED_INTENTS & ~self.privileged:
            await session.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        session.intents = intents
        session.session_id = uuid.uuid4().hex
        self.current = session
        world = self.state.world
        flags = 1 << 19 if not self.privileged & (1 << 15) else 1 << 18
        await session.dispatch(
            "READY",
            {
                "v": 10,
                "user": world.bot.me_json(),
                "guilds": [{"id": str(g), "unavailable": True} for g in world.guilds],
                "session_id": session.session_id,
                "session_type": "normal",
                "resume_gateway_url": self.url(),
                "application": {"id": str(world.application_id), "flags": flags},
                "private_channels": [],
                "presences": [],
                "relationships": [],
                "_trace": ['["discord-stand-in",{"micros":0}]'],
            },
        )
        if intents & GUILDS:
            for guild in world.guilds.values():
                await session.dispatch("GUILD_CREATE", self._guild_create(session, guild.id))
        session.ready = True
        self.state.ledger.changed()

    def _guild_create(self, session: Session, guild_id: int) -> JSON:
        guild = self.state.world.guilds[guild_id]
        data = guild.json(members=True)
        bot = self.state.world.bot
        everyone = session.intents & GUILD_MEMBERS
        data["members"] = [m.json() for m in guild.members.values() if everyone or m.user is bot]
        return data

    async def _resume(self, session: Session, data: Any) -> None:
        old = next((s for s in self.sessions if s.session_id == data.get("session_id")), None)
        if old is None or old is session:
            await session.send({"op": INVALID, "d": False})
            return
        session.session_id, session.intents, session.seq = old.session_id, old.intents, old.seq
        old.session_id = None
        self.current = session
        await session.dispatch("RESUMED", {"_trace": ["discord-stand-in"]})
        session.ready = True
        self.state.ledger.changed()

    async def _members(self, session: Session, data: Any) -> None:
        guild = self.state.world.guilds.get(int(data.get("guild_id", 0)))
        if guild is None:
            return
        wanted = {int(u) for u in data.get("user_ids") or []}
        members = [m.json() for m in guild.members.values() if not wanted or m.user.id in wanted]
        chunk = {"guild_id": str(guild.id), "members": members, "chunk_index": 0, "chunk_count": 1}
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        await session.dispatch("GUILD_MEMBERS_CHUNK", chunk)

    async def dispatch(self, event: str, data: JSON, *, intent: int | None = None) -> bool:
        """Send one event to the identified client; False if none is, or it lacks the intent."""
        session = self.current
        if session is None or session.ws.closed:
            return False
        if intent is not None and not session.intents & intent:
            return False
        await session.dispatch(event, data)
        return True

    async def wait_ready(self, patience: float) -> None:
        """Wait until a client has identified and been sent READY and its guilds."""
        await self.state.ledger.until(
            lambda: self.current is not None and self.current.ready, patience, "identified client"
        )

    async def barrier(self, patience: float) -> None:
        """Prove the client has read every dispatch sent so far: ask for a heartbeat and wait.

        discord.py answers op 1 from its read loop with the last sequence it has processed, so
        a heartbeat carrying the newest sequence means every earlier event has been parsed.
        """
        session = self.current
        if session is None:
            return
        async with session.lock:
            target, before = session.seq, session.heartbeats
            await session._send({"op": HEARTBEAT})

        def caught_up() -> bool:
            beat = session.last_beat or 0
            return session.closed or (session.heartbeats > before and beat >= target)

        await self.state.ledger.until(caught_up, patience, "gateway round trip")

    async def drop(self, code: int) -> None:
        """Close the client's connection with the code, as Discord does when it restarts."""
        session, self.current = self.current, None
        if session is not None:
            await session.ws.close(code=code)

    async def close(self) -> None:
        """Close every open connection (going away)."""
        for session in self.sessions:
            if not session.ws.closed:
                await session.ws.close(code=1001)
