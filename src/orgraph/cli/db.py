"""`orgraph db ...`: the embedded FalkorDB's lifecycle, backup and restore."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from orgraph.cli.common import console, handles_errors, print_json, store_session
from orgraph.config import get_settings
from orgraph.errors import ConfigError
from orgraph.store import embedded_server, open_store
from orgraph.store.base import count_nodes
from orgraph.store.embedded import EmbeddedServer
from orgraph.store.migrations import current_version, target_version

app = typer.Typer(
    help="内置图数据库 (FalkorDB) 的启动、停止、状态、备份与恢复", no_args_is_help=True
)

STATE_ZH = {"running": "运行中", "loading": "加载中", "stopped": "已停止", "unresponsive": "无响应"}


def _embedded() -> EmbeddedServer:
    settings = get_settings()
    if settings.engine != "embedded":
        raise ConfigError(
            f"当前配置的存储不是内置数据库 (ORGRAPH_STORE_URI={settings.store_uri})；"
            "外部 FalkorDB 或 Neo4j 请用其自身工具管理"
        )
    return embedded_server(settings)


@app.command()
@handles_errors
def start() -> None:
    """启动内置数据库 (已在运行则不做任何事)。"""
    server = _embedded()
    started = server.start()
    pid = server.pid()
    console.print(f"{'已启动' if started else '已在运行'}: pid {pid}, 套接字 {server.socket}")


@app.command()
@handles_errors
def stop() -> None:
    """停止内置数据库 (先把数据写入磁盘)。"""
    server = _embedded()
    console.print("已停止" if server.stop() else "未在运行")


@app.command()
@handles_errors
def status(as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出")] = False) -> None:
    """显示数据库状态、数据量与架构版本。"""
    settings = get_settings()
    info: dict[str, object] = {"engine": settings.engine, "store_uri": settings.store_uri}
    if settings.engine == "embedded":
        st = embedded_server(settings).status()
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
    for key, label in [("pid", "进程"), ("socket", "套接字"), ("data_dir", "数据目录"),
                       ("used_memory", "内存"), ("aof_size_bytes", "日志字节"),
                       ("nodes", "节点数")]:
        if info.get(key) is not None:
            console.print(f"  {label}: {info[key]}")
    labels = info.get("labels")
    if isinstance(labels, dict) and labels:
        console.print("  " + "  ".join(f"{k}: {v}" for k, v in labels.items()))
    if "schema_version" in info:
        ok = info["schema_version"] == info["schema_target"]
        console.print(f"  架构版本: {info['schema_version']} / {info['schema_target']}"
                      f"{' (已是最新)' if ok else ' (需要运行 orgraph migrate)'}")
    if state != "running":
        raise typer.Exit(1)


@app.command()
@handles_errors
def backup(path: Annotated[Path, typer.Argument(help="备份文件路径")]) -> None:
    """生成一致的快照并复制到 PATH。"""
    server = _embedded()
    server.start()
    size = server.backup(path)
    console.print(f"已备份到 {path.resolve()} ({size} 字节)")


@app.command()
@handles_errors
def restore(
    path: Annotated[Path, typer.Argument(help="备份文件路径")],
    force: Annotated[bool, typer.Option("--force", help="数据库不为空时也覆盖")] = False,
) -> None:
    """用备份替换当前数据 (原数据移到数据目录下的 replaced-* 文件夹)。"""
    server = _embedded()
    with store_session() as store:
        has_data = count_nodes(store) > 0
    server.restore(path, graph_has_data=has_data, force=force)
    with store_session() as store:
        nodes = count_nodes(store)
    console.print(f"已从 {path.resolve()} 恢复: {nodes} 个节点")
