"""数据导入: upload roster files, check them first (nothing written), read the report of
rejected rows with their Excel row numbers and reasons, then import on confirmation."""

from __future__ import annotations

import time
from typing import Any

import streamlit as st

from orgraph.vocab import FIELD_ZH, ROSTER_KIND_ZH
from orgraph_dashboard import session, ui
from orgraph_dashboard.strings import num

FILES = "pg_import_files"  # [(name, bytes)]: what was uploaded, kept across reruns
REPORT = "pg_import_report"
KIND = "pg_import_kind"
AUTO = "auto"

# Streamlit's uploader speaks English ("Upload", "200MB per file"): say it in Chinese.
UPLOADER_ZH = """<style>
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {
  font-size: 0; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {
  content: "选择文件"; font-size: 0.875rem; }
[data-testid="stFileUploaderDropzoneInstructions"] span { font-size: 0; }
[data-testid="stFileUploaderDropzoneInstructions"] span::after {
  content: "或将文件拖放到这里 · XLSX、XLS、CSV"; font-size: 0.875rem; }
</style>"""


def _remember_upload() -> None:
    up = st.session_state.get("import_uploader") or []
    st.session_state[FILES] = [(f.name, f.getvalue()) for f in up]
    st.session_state.pop(REPORT, None)


def run_import(kind: str, files: list[tuple[str, bytes]], *, dry_run: bool) -> dict[str, Any]:
    answer: dict[str, Any] = session.client().import_files(kind, files, dry_run=dry_run)
    return answer


def render() -> None:
    me = ui.header("imports", caption="上传花名册：先检查（不写入），确认无误后再导入。")
    if not me.get("can_import"):
        st.info(f"导入花名册需要县级管理员权限；您当前的角色是“{me['role_zh']}”。")
        return
    st.html(UPLOADER_ZH)
    c1, c2 = st.columns([1, 2])
    kinds = [AUTO, *ROSTER_KIND_ZH]
    kind = c1.selectbox(
        "花名册类型",
        kinds,
        key=KIND,
        format_func=lambda k: "自动识别（按表头）" if k == AUTO else ROSTER_KIND_ZH[k],
    )
    c2.file_uploader(
        "花名册文件（可多选）",
        type=["xlsx", "xls", "csv"],
        accept_multiple_files=True,
        key="import_uploader",
        on_change=_remember_upload,
    )
    files: list[tuple[str, bytes]] = st.session_state.get(FILES) or []
    if not files:
        st.caption(
            "支持全国党员管理信息系统导出的表格和手工维护的表格；"
            "表头可为中文或英文，允许标题行和序号列。"
        )
        return
    st.caption("已选择：" + "、".join(f"{n}（{len(b) / 1024:.0f} KB）" for n, b in files))
    b1, b2, _ = st.columns([1, 1, 3])
    check = b1.button("检查（不写入）", type="primary", key="import_check")
    report: dict[str, Any] | None = st.session_state.get(REPORT)
    ready = bool(report and report.get("dry_run") and not report["totals"].get("sheet_errors"))
    confirm = b2.button("确认导入", key="import_confirm", disabled=not ready)
    if check:
        with st.spinner("正在检查…"):
            report = session.guarded(lambda: run_import(kind, files, dry_run=True))
        if report is not None:
            st.session_state[REPORT] = report
            st.rerun()  # the confirm button above was drawn before the report existed
    elif confirm and ready:
        with st.status(f"正在导入 {len(files)} 个文件…", expanded=True) as status:
            t0 = time.monotonic()
            st.write("上传并逐行校验、写入图数据库，大文件可能需要几分钟，请勿关闭页面。")
            report = session.guarded(lambda: run_import(kind, files, dry_run=False))
            if report is None:
                status.update(label="导入失败", state="error")
            else:
                st.session_state[REPORT] = report
                st.cache_data.clear()  # every figure may have changed
                status.update(
                    label=f"导入完成，用时 {time.monotonic() - t0:.1f} 秒",
                    state="complete",
                    expanded=False,
                )
    report = st.session_state.get(REPORT)
    if report:
        show_report(report)


def show_report(report: dict[str, Any]) -> None:
    t = report["totals"]
    st.subheader("检查结果（未写入）" if report.get("dry_run") else "导入结果")
    m = st.columns(5)
    m[0].metric("数据行", num(t["rows"]))
    m[1].metric("通过", num(t["accepted"]))
    m[2].metric("拒绝的行", num(t["rejected"]))
    m[3].metric("提示", num(t["warnings"]))
    m[4].metric("新增 / 更新", f"{num(t['created'])} / {num(t['updated'])}")
    if t.get("sheet_errors"):
        st.error("有工作表无法识别，整表未导入，请按下表修改后重新上传。")
    elif t["rejected"]:
        st.warning(f"{num(t['rejected'])} 行有错误，将被跳过；其余行可以导入。")
    elif report.get("dry_run"):
        st.success("全部数据行通过检查，可以导入。")
    files = [
        {
            FIELD_ZH["path"]: f["path"].rsplit("/", 1)[-1],
            FIELD_ZH["sheet"]: f["sheet"],
            "类型": ROSTER_KIND_ZH.get(f.get("kind") or "", f.get("kind") or "未识别"),
            **{FIELD_ZH[k]: f[k] for k in ("rows", "accepted", "created", "updated", "unchanged")},
            FIELD_ZH["rejected"]: len(f["rejected"]),
            FIELD_ZH["warnings"]: len(f["warnings"]),
        }
        for f in report["files"]
    ]
    st.dataframe(files, hide_index=True, width="stretch", key="import_files_tbl")
    problems = [
        {
            "文件": f["path"].rsplit("/", 1)[-1],
            **{
                FIELD_ZH[k]: "" if i.get(k) is None else i.get(k)
                for k in ("sheet", "row", "column", "value", "message")
            },
            "级别": level,
        }
        for f in report["files"]
        for level, key in (("整表错误", "errors"), ("拒绝", "rejected"), ("提示", "warnings"))
        for i in f[key]
    ]
    if problems:
        st.markdown(f"##### 需要处理的行（{num(len(problems))}）")
        st.dataframe(
            problems,
            hide_index=True,
            width="stretch",
            height=min(38 + 35 * len(problems), 560),
            key="import_problems_tbl",
            column_config={
                "原因": st.column_config.TextColumn(width="large"),
                "行号": st.column_config.NumberColumn(width="small"),
            },
        )
        st.caption("行号是 Excel 中看到的行号。")


render()
