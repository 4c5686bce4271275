"""The audio relay: a server-side earmark sends PCM to an `earmark listen` on the annotator's
own computer, through an SSH tunnel; nothing is written to the laptop's disk.

`wire` holds the protocol (framing, handshake, sealing) and says why it is built that way;
`url` where the listener is and where the secret comes from; `sender` the server's end (an
Output); `listener` and `buffer` the laptop's end.
"""

from earmark.audio.remote.buffer import SessionRecord, _Buffer
from earmark.audio.remote.listener import Listener, default_socket_path
from earmark.audio.remote.sender import (
    LINK_AUTH,
    LINK_CONNECTING,
    LINK_LOST,
    LINK_UP,
    RemoteOutput,
)
from earmark.audio.remote.url import (
    AudioURL,
    parse_audio_url,
    resolve_audio_url,
    split_secret,
    tcp_url,
    unix_url,
)
from earmark.audio.remote.wire import (
    AUDIO,
    AUTH,
    CHALLENGE,
    DEFAULT_PORT,
    FLUSH,
    FORMAT,
    HELLO,
    INFO,
    MAGIC,
    PING,
    PLAYED,
    PONG,
    READY,
    AuthError,
    Channel,
    ProtocolError,
    client_handshake,
    recv_msg,
    send_msg,
    server_handshake,
)

__all__ = [
    "AUDIO",
    "AUTH",
    "CHALLENGE",
    "DEFAULT_PORT",
    "FLUSH",
    "FORMAT",
    "HELLO",
    "INFO",
    "LINK_AUTH",
    "LINK_CONNECTING",
    "LINK_LOST",
    "LINK_UP",
    "MAGIC",
    "PING",
    "PLAYED",
    "PONG",
    "READY",
    "AudioURL",
    "AuthError",
    "Channel",
    "Listener",
    "ProtocolError",
    "RemoteOutput",
    "SessionRecord",
    "_Buffer",
    "client_handshake",
    "default_socket_path",
    "parse_audio_url",
    "resolve_audio_url",
    "split_secret",
    "recv_msg",
    "send_msg",
    "server_handshake",
    "tcp_url",
    "unix_url",
]
