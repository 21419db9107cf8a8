"""`orgraph db ...`: the lifecycle, backup and restore of the server orgraph runs itself (the
embedded FalkorDB, or a local Neo4j with ORGRAPH_STORE_URI=neo4j-local). Which engine it is
stays inside orgraph.store: this module only calls the methods of `LocalServer`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from orgraph.cli.common import console, err_console, handles_errors, print_json, store_session
from orgraph.config import DEV_KEY_MESSAGE, get_settings
from orgraph.errors import ConfigError
from orgraph.store import LocalServer, local_server, open_store
from orgraph.store.base import count_nodes
from orgraph.store.migrations import current_version, target_version

app = typer.Typer(
    help="本地图数据库 (内置 FalkorDB 或本地 Neo4j) 的启动、停止、状态、备份与恢复",
    no_args_is_help=True,
)

STATE_ZH = {
    "running": "运行中",
    "loading": "加载中",
    "starting": "启动中",
    "stopped": "已停止",
    "unresponsive": "无响应",
}


def _server() -> LocalServer:
    settings = get_settings()
    server = local_server(settings)
    if server is None:
        raise ConfigError(
            "当前配置的存储不是 orgraph 自己运行的数据库 "
            f"(ORGRAPH_STORE_URI={settings.store_uri})；外部 FalkorDB 或 Neo4j 请用其自身工具管理。"
            "This store is an external server: manage it with its own tools."
        )
    return server


def _progress(message: str) -> None:
    """Progress of a long step (a Neo4j start, a dump): on stderr, so --json stays clean."""
    err_console.print(f"  {message}", highlight=False, soft_wrap=True)


@app.command()
@handles_errors
def start() -> None:
    """启动本地数据库，等到它能接受查询 (已在运行则不做任何事)。"""
    server = _server()
    started = server.start(progress=_progress)
    console.print(f"{'已启动' if started else '已在运行'}: pid {server.pid()}, {server.address}")


@app.command()
@handles_errors
def stop() -> None:
    """停止本地数据库 (先把数据写入磁盘)。"""
    console.print("已停止" if _server().stop() else "未在运行")


def _mb(n: object) -> str:
    return f"{int(str(n)) / (1 << 20):.0f} MB" if n is not None else "?"


@app.command()
@handles_errors
def status(as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出")] = False) -> None:
    """显示数据库引擎、版本、状态、进程、内存、数据量与架构版本。"""
    settings = get_settings()
    info: dict[str, object] = {"engine": settings.engine, "store_uri": settings.store_uri}
    # Never the key itself: only whether it is the public development default (issue #18).
    info["id_hash_key"] = "development" if settings.dev_id_key else "set"
    server = local_server(settings)
    if server is not None:
        st = server.status()
        info.update(st.as_dict())
        up = st.state == "running"
    else:
        up = True
    if up:
        store = open_store(settings, autostart=False)
        try:
            store.ping()
            info["schema_version"] = current_version(store)
            info["schema_target"] = target_version(store.engine)
            info["nodes"] = count_nodes(store)
            info["labels"] = {r["label"]: r["nodes"] for r in store.read("count_by_label")}
            info["state"] = "running"
        finally:
            store.close()
    if as_json:
        print_json(info)
        return
    state = str(info.get("state", "?"))
    console.print(f"引擎: {info['engine']}  状态: {STATE_ZH.get(state, state)}")
    if info.get("version"):
        agent = f" (服务器报告 {info['agent']})" if info.get("agent") else ""
        console.print(f"  版本: {info['version']}{agent}")
    if info.get("rss_bytes") is not None:
        info["rss"] = _mb(info["rss_bytes"])
    if info.get("heap"):
        info["heap_pagecache"] = f"{info['heap']} / {info.get('pagecache')}"
    for key, label in [
        ("pid", "进程"),
        ("socket", "套接字"),
        ("bolt", "Bolt"),
        ("data_dir", "数据目录"),
        ("used_memory", "内存"),
        ("rss", "内存 (RSS)"),
        ("heap_pagecache", "堆 / 页缓存"),
        ("aof_size_bytes", "日志字节"),
        ("nodes", "节点数"),
    ]:
        if info.get(key) is not None:
            console.print(f"  {label}: {info[key]}")
    if settings.dev_id_key:
        console.print(
            f"  身份证号密钥: 开发用默认密钥，拒绝导入身份证号。{DEV_KEY_MESSAGE}",
            highlight=False,
            soft_wrap=True,
        )
    else:
        console.print("  身份证号密钥: 已设置 (ORGRAPH_ID_HASH_KEY)")
    labels = info.get("labels")
    if isinstance(labels, dict) and labels:
        console.print("  " + "  ".join(f"{k}: {v}" for k, v in labels.items()))
    if "schema_version" in info:
        ok = info["schema_version"] == info["schema_target"]
        console.print(
            f"  架构版本: {info['schema_version']} / {info['schema_target']}"
            f"{' (已是最新)' if ok else ' (需要运行 orgraph migrate)'}"
        )
    if state != "running":
        if info.get("message") and state != "stopped":
            console.print(f"  {info['message']}", highlight=False)
        raise typer.Exit(1)


@app.command()
@handles_errors
def backup(path: Annotated[Path, typer.Argument(help="备份文件路径")]) -> None:
    """生成一致的备份并写到 PATH (Neo4j 社区版: neo4j-admin database dump，会短暂停止服务)。"""
    size = _server().backup(path, progress=_progress)
    console.print(f"已备份到 {path.resolve()} ({size} 字节)")


@app.command()
@handles_errors
def restore(
    path: Annotated[Path, typer.Argument(help="备份文件路径")],
    force: Annotated[bool, typer.Option("--force", help="数据库不为空时也覆盖")] = False,
) -> None:
    """用备份替换当前数据 (原数据完整保留在数据目录下的 replaced-*，仅本用户可读，核对后请删除)。"""
    server = _server()
    with store_session() as store:
        has_data = count_nodes(store) > 0
    aside = server.restore(path, graph_has_data=has_data, force=force, progress=_progress)
    with store_session() as store:
        nodes = count_nodes(store)
    console.print(f"已从 {path.resolve()} 恢复: {nodes} 个节点")
    if aside is not None:
        # A full copy of the replaced data (every phone number): say so, and where (#18).
        console.print(
            f"原数据 (完整副本，仅本用户可读) 另存为 {aside}；确认恢复无误后请删除它。"
            f" The replaced data is kept in full at {aside}: delete it once the restore is"
            " checked.",
            highlight=False,
            soft_wrap=True,
        )
