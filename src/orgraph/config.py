"""Settings: one object, read from ORGRAPH_* environment variables (and .env)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

EngineKind = Literal["embedded", "falkor", "neo4j", "neo4j-local"]

# The development default of ORGRAPH_ID_HASH_KEY: public (it is in this file), so a keyed hash
# made with it is as good as the ID number itself (an `h:` key was reversed in 0.36 s: the
# space of valid ID numbers of one county is small). Nothing is hashed with it (issue #18):
# roster.idnumber.hash_id refuses it, `orgraph db status` reports it.
DEV_ID_HASH_KEY = "orgraph-dev-key-change-me"
DEV_KEY_MESSAGE = (
    "ORGRAPH_ID_HASH_KEY 仍是开发用默认密钥，不能导入或登记身份证号 (用它算出的散列可被还原为"
    "身份证号)。请在首次导入前设置一个随机密钥并妥善保存、不再更改，例如: "
    "export ORGRAPH_ID_HASH_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(32))')"
    " (或写入 .env，或写入数据目录中的 id-hash.key 文件)。 The ID hash key is the public "
    "development default: set ORGRAPH_ID_HASH_KEY to a random secret before importing ID numbers."
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ORGRAPH_", env_file=".env", extra="ignore")

    store_uri: str = Field(
        default="embedded",
        description=(
            "embedded | neo4j-local | falkor://host:port | unix:///path.sock | "
            "bolt://host:7687 | neo4j://host:7687 | neo4j+s://host"
        ),
    )
    data_dir: Path = Field(
        default=Path(".orgraph"),
        description="data folder of the local store (embedded or neo4j-local)",
    )
    graph_name: str = Field(default="orgraph", description="FalkorDB graph key")
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr = SecretStr("")
    neo4j_database: str = "neo4j"
    # The local Neo4j server (ORGRAPH_STORE_URI=neo4j-local): Bolt port on 127.0.0.1, JVM heap
    # and page cache (sized for 2 cores / 24 GiB), and where its jars are cached (default:
    # ~/.cache/orgraph/neo4j-<version>).
    neo4j_bolt_port: int = 7687
    neo4j_heap: str = "2g"
    neo4j_pagecache: str = "1g"
    neo4j_cache_dir: Path | None = None
    # Seconds the client waits on one socket read before declaring the store unavailable.
    socket_timeout: float = 30.0
    connect_timeout: float = 3.0
    # Milliseconds: server-side ceiling on any one query (FalkorDB TIMEOUT_MAX).
    query_timeout_max_ms: int = 120_000
    query_timeout_default_ms: int = 60_000
    # Seconds `orgraph db start` waits for the local server (embedded or neo4j-local) to answer.
    start_timeout: float = 120.0
    # Key of the HMAC that replaces raw ID numbers; changing it orphans existing member keys.
    id_hash_key: SecretStr = SecretStr(DEV_ID_HASH_KEY)
    roster_max_mb: int = 50
    # Save the analysis projection in the data folder and start new processes from it
    # (docs/design.md#snapshots).
    projection_snapshots: bool = True
    # The API reads uploaded rosters in a child process: address space it may add (MB; 0 for
    # no limit) and seconds it may take for all files of one upload (orgraph.roster.workers).
    upload_memory_mb: int = 4096
    upload_timeout_s: float = 300.0
    # One import at a time per graph (store/write_lock.py): seconds an import waits for another
    # before giving up, and the lease after which a dead importer's lock goes stale.
    import_lock_wait_s: float = 600.0
    import_lock_lease_s: float = 60.0
    # ORGRAPH_TODAY (the day the product treats as today) is no field of these settings:
    # orgraph.clock reads it from the environment on every call, since the settings are read
    # once per process (get_settings) and the tests change it between calls.
    # API and dashboard.
    api_url: str = Field(default="http://127.0.0.1:8000", description="API base for clients")
    # Engine answers the API keeps per graph revision (api/orgraph_api/answers.py); 0 turns
    # the cache off, so every request asks the engine (bench/api.py --no-answer-cache).
    answer_cache_size: int = Field(default=128, ge=0)
    # Token signing key; when empty, a random key is created once in the data folder.
    jwt_secret: SecretStr = SecretStr("")
    token_idle_minutes: int = 30
    lockout_failures: int = 5
    lockout_minutes: int = 30
    # Refused log-ins one client address may make in a sliding window before it gets 429
    # (per API process: orgraph.security.throttle).
    login_throttle_failures: int = 20
    login_throttle_minutes: int = 15
    audit_retention_days: int = 180

    @model_validator(mode="after")
    def _key_from_data_folder(self) -> Settings:
        """Without ORGRAPH_ID_HASH_KEY, the key kept in the data folder (`id-hash.key`, which
        scripts/up.sh makes once, 0600): the CLI in a user's shell, the API and the dashboard
        then hash with the same key as the demo import (docs/design.md#security)."""
        if self.dev_id_key:
            kept = self.data_dir.expanduser() / "id-hash.key"
            try:
                key = kept.read_text(encoding="utf-8").strip()
            except OSError:
                key = ""
            if key:
                self.id_hash_key = SecretStr(key)
        return self

    @property
    def engine(self) -> EngineKind:
        uri = self.store_uri.strip()
        if uri == "embedded":
            return "embedded"
        if uri == "neo4j-local":
            return "neo4j-local"
        if uri.startswith(("falkor://", "falkors://", "redis://", "unix://")):
            return "falkor"
        if uri.startswith(
            ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")
        ):
            return "neo4j"
        from orgraph.errors import ConfigError

        raise ConfigError(
            f"无法识别的 ORGRAPH_STORE_URI: {uri!r}。可用: embedded、neo4j-local、"
            "falkor://主机:端口、unix:///路径.sock、bolt://、neo4j:// 或 neo4j+s://。"
            "Valid: embedded, neo4j-local, falkor://, unix://, bolt://, neo4j://, neo4j+s://"
        )

    @property
    def dev_id_key(self) -> bool:
        """True while ORGRAPH_ID_HASH_KEY is the public development default (or empty)."""
        key = self.id_hash_key.get_secret_value()
        return key.strip() in ("", DEV_ID_HASH_KEY)

    @property
    def data_path(self) -> Path:
        return self.data_dir.expanduser().resolve()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
