"""HubSession: what a process keeps for the Hub — the NetClient it was given, the cache in
cache.db — and, per use, the API with the current endpoint and token (Settings may change
the token while the window is open)."""

from __future__ import annotations

from pathlib import Path

from tensorshelf.hf.api import HubApi
from tensorshelf.hf.cache import HubCache
from tensorshelf.hf.config import HubConfig, load_config
from tensorshelf.hf.identify import Identifier
from tensorshelf.network.client import NetClient


class HubSession:
    def __init__(self, state_dir: Path, cache_db: Path, net: NetClient) -> None:
        self.state_dir, self.net = state_dir, net
        self.cache = HubCache(cache_db)

    def config(self) -> HubConfig:
        return load_config(self.state_dir)

    def api(self, retry: bool = True) -> HubApi:
        return HubApi(self.net, self.config(), retry)

    def identifier(self, retry: bool = True) -> Identifier:
        return Identifier(self.api(retry), self.cache)

    def close(self) -> None:
        self.cache.close()
