"""数据报送 in headless Chromium, as 东湖镇's staff user (sign-in on, SQLite): upload a
month's meeting ledger with planted bad rows through the page's file input, read the exact
rejects in the grid (the file's own column names, how to fix), download the marked-up
workbook, fix it with openpyxl, send it back, see the rows accepted and 报送情况 turn to
已报送; then send another township's rows and see them rejected 超出本乡镇范围."""

from __future__ import annotations

import io
import json
import time
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from tests.browser.test_browser import (
    TIMEOUT,
    free_port,
    no_cut_cells,
    no_horizontal_scroll,
    scroll_into_view,
    settle,
)
from tests.browser.test_signin import fill_in
from tests.helpers.inbox_county import (
    DONGHU,
    JIEFANG,
    LIUSHU,
    SECRET,
    XINHUA,
    YANGJIA,
    load_county,
)
from tests.helpers.inbox_files import write_xlsx
from xieshang.access import users
from xieshang.contract import settings
from xieshang.contract.settings import MAX_UPLOAD_ENV
from xieshang.dashboard import auth
from xieshang.dashboard.app import create_app
from xieshang.submission import SECRET_KEY

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]

PASSWORD = "correct horse battery"
TODAY = settings.today()  # the deployment's day (Beijing), which the pages show
DAY = TODAY.replace(day=1).isoformat()  # this month: the month 报送情况 opens on
HEADER = ["会议编号", "区划代码", "召开日期", "形式", "议题", "党组织主持"]
LEDGER = [
    ["东湖镇协商会议台账"],
    HEADER,
    ["HY-10", LIUSHU, DAY, "议事会", "村道硬化", "是"],
    ["HY-11", YANGJIA, "2025-13-01", "议事会", "路灯维修", "是"],
    ["HY-12", LIUSHU, DAY, "茶话会", "河塘清淤", "是"],
]
DATE_REASON = "日期无法识别（应为 2025-03-08、2025年3月8日 或 20250308）"
DATE_HINT = (
    "日期填成 2025-03-08、2025/3/8、2025.3.8、2025年3月8日 或 20250308，或用日期格式的单元格"
)
FORM_HINT = (
    "可填：议事会、听证会、恳谈会、座谈会、协调会、评议会、党日活动、协商式民意调查、"
    "愿景工作坊、参与式预算、联席会议、其他"
)


@pytest.fixture
def duo(dash_duo, engine, tmp_path, monkeypatch):
    load_county(engine, tmp_path)
    users.add_user(engine, "wang", "staff", PASSWORD, DONGHU, by="test")
    monkeypatch.setenv(auth.SESSION_KEY_ENV, "a-browser-test-session-key-of-40-chars!!")
    app = create_app(engine, auth=True)
    monkeypatch.setitem(app.server.config, SECRET_KEY, SECRET)
    auth.LIMITER.reset()
    dash_duo.start_server(app, navigate=False, port=free_port())
    dash_duo.driver.set_window_size(1366, 768)
    dash_duo.driver.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": dash_duo.download_path}
    )
    yield dash_duo
    auth.LIMITER.reset()
    auth.configure(app.server, False)


def upload(duo, path: Path) -> None:
    """Choose one file in the page's file input (Chromium adds to what an input holds)."""
    chooser = duo.find_element("#sb-upload input[type=file]")
    duo.driver.execute_script("arguments[0].value = ''", chooser)
    chooser.send_keys(str(path))


def grid_rows(duo, grid: str) -> list[list[str]]:
    """The texts a grid shows, row by row, its columns in order (pinned ones first)."""
    return duo.driver.execute_script(
        """
        const root = document.querySelector(arguments[0]);
        const rows = {};
        for (const row of root.querySelectorAll('.ag-row')) {
            const index = Number(row.getAttribute('row-index'));
            for (const cell of row.querySelectorAll('.ag-cell')) {
                (rows[index] = rows[index] || []).push(
                    [Number(cell.getAttribute('aria-colindex')), cell.innerText.trim()]);
            }
        }
        return Object.keys(rows).sort((a, b) => a - b)
            .map(k => rows[k].sort((a, b) => a[0] - b[0]).map(c => c[1]));
        """,
        grid,
    )


def wait_for_rows(duo, grid: str, want: list[list[str]]) -> None:
    deadline = datetime.now().timestamp() + TIMEOUT
    while grid_rows(duo, grid) != want and datetime.now().timestamp() < deadline:
        settle(duo, 0.2)
    assert grid_rows(duo, grid) == want


def headers(duo, grid: str) -> list[str]:
    return duo.driver.execute_script(
        "return [...document.querySelectorAll(arguments[0] + ' .ag-header-cell-text')]"
        ".map(h => h.innerText.trim())",
        grid,
    )


def _first_download(directory: Path, names: list[str]) -> Path:
    """The first of `names` to appear in `directory`, once written out."""
    deadline = time.time() + TIMEOUT
    while time.time() < deadline:
        found = [directory / name for name in names if (directory / name).exists()]
        if found:
            time.sleep(0.3)  # the browser may still be writing it
            return found[0]
        time.sleep(0.2)
    raise AssertionError(f"none of {names} was downloaded into {directory}")


def test_send_fix_and_resend_a_ledger(duo, engine, tmp_path):
    base = duo.server.url
    duo.driver.get(base + "/submit")
    fill_in(duo, "wang", PASSWORD)
    duo.wait_for_element("#sb-upload", timeout=TIMEOUT)
    assert duo.find_element("h1").text == "数据报送"
    links = duo.driver.execute_script(
        "return [...document.querySelectorAll('.sb-templates a')]"
        ".map(a => [a.innerText, a.getAttribute('href')])"
    )
    assert links == [
        ["区划名册", "/download/template/areas.xlsx"],
        ["会议台账", "/download/template/meetings.xlsx"],
        ["参会签到", "/download/template/attendance.xlsx"],
        ["决议落实", "/download/template/resolutions.xlsx"],
    ]
    assert "将文件拖到此处，或点击选择文件 (xlsx/CSV)" in duo.find_element("#sb-upload").text

    ledger = write_xlsx(tmp_path / "sent" / "会议台账.xlsx", {"本月": LEDGER})
    upload(duo, ledger)
    duo.wait_for_contains_text("#sb-outcome", "新增 1 行（会议台账 1）", timeout=TIMEOUT)
    assert duo.find_element("#sb-outcome .sb-outcomes").text == (
        "新增 1 行（会议台账 1）\n拒收 2 行，见下表（会议台账 2）"
    )
    assert duo.find_element("#sb-outcome .sb-files").text == "已导入：会议台账.xlsx"
    assert (
        duo.driver.execute_script("return document.querySelector('#sb-progress-text').textContent")
        == "正在导入 1 个文件…"
    )
    assert headers(duo, "#sb-rejects") == [
        "文件",
        "工作表",
        "行号",
        "列名",
        "值",
        "原因",
        "修改方法",
    ]
    wait_for_rows(
        duo,
        "#sb-rejects",
        [
            ["会议台账.xlsx", "本月", "4", "召开日期", "2025-13-01", DATE_REASON, DATE_HINT],
            ["会议台账.xlsx", "本月", "5", "形式", "茶话会", "不在规定取值范围内", FORM_HINT],
        ],
    )
    settle(duo)
    assert no_cut_cells(duo, "#sb-rejects") == {"blank_headers": 0, "cut": []}
    assert no_horizontal_scroll(duo)
    day = f"{datetime.now(settings.time_zone()):%Y-%m-%d}"  # as 报送情况 shows it, Beijing's
    wait_for_rows(
        duo,
        "#sb-status",
        [
            ["东湖镇", DONGHU, f"已报送 {day} · 1/2", "未报送", "未报送"],
            ["柳树村", LIUSHU, f"已报送 {day} · 1/1", "未报送", "未报送"],
            ["杨家村", YANGJIA, f"全部拒收 {day} · 0/1", "未报送", "未报送"],
        ],
    )

    # the same file again: not read again, its rows still rejected shown once more
    upload(duo, ledger)
    duo.wait_for_contains_text(
        "#sb-outcome", "与此前报送的文件相同，未重新导入：会议台账.xlsx", timeout=TIMEOUT
    )
    assert duo.find_elements("#sb-rejects") == []
    wait_for_rows(
        duo,
        "#sb-earlier-rejects",
        [
            ["会议台账.xlsx", "本月", "4", "召开日期", "2025-13-01", DATE_REASON, DATE_HINT],
            ["会议台账.xlsx", "本月", "5", "形式", "茶话会", "不在规定取值范围内", FORM_HINT],
        ],
    )
    assert "此前报送时拒收、仍未改正的行" in duo.find_element("#sb-rejects-part").text

    # the marked-up workbook: the two rows as sent, to fix and send again
    button = json.dumps({"index": 0, "type": "sb-marked-btn"}, separators=(",", ":"))
    assert duo.find_element(".sb-marked span").text == "会议台账.xlsx"
    assert duo.find_element(f"[id='{button}']").text == "下载标注后的拒收行 (xlsx)"
    clicked_on = settings.today()
    duo.find_element(f"[id='{button}']").click()
    # named on the day of the request: a day later for a test run over midnight
    marked = _first_download(
        Path(duo.download_path),
        [
            f"东湖镇-拒收行-会议台账-{d.isoformat()}.xlsx"
            for d in (clicked_on, clicked_on + timedelta(1))
        ],
    )
    name = marked.name
    book = openpyxl.load_workbook(io.BytesIO(marked.read_bytes()))
    sheet = book["协商会议台账"]
    assert [row[:4] for row in sheet.iter_rows(values_only=True)] == [
        ("会议编号", "区划代码", "召开日期", "形式"),
        ("HY-11", YANGJIA, "2025-13-01", "议事会"),
        ("HY-12", LIUSHU, DAY, "茶话会"),
    ]
    sheet["C2"] = DAY
    sheet["D3"] = "座谈会"
    fixed = tmp_path / "fixed" / name
    fixed.parent.mkdir()
    book.save(fixed)
    upload(duo, fixed)
    duo.wait_for_contains_text("#sb-outcome", "新增 2 行（会议台账 2）", timeout=TIMEOUT)
    assert duo.find_element("#sb-outcome .sb-outcomes").text == "新增 2 行（会议台账 2）"
    assert duo.find_elements(".sb-marked") == []
    assert duo.find_elements("#sb-rejects") == []
    wait_for_rows(
        duo,
        "#sb-status",
        [
            ["东湖镇", DONGHU, f"已报送 {day} · 3/0", "未报送", "未报送"],
            ["柳树村", LIUSHU, f"已报送 {day} · 2/0", "未报送", "未报送"],
            ["杨家村", YANGJIA, f"已报送 {day} · 1/0", "未报送", "未报送"],
        ],
    )

    # another township's rows are not this township's to send
    other = write_xlsx(
        tmp_path / "sent" / "城关会议台账.xlsx",
        {
            "会议": [
                HEADER,
                ["HY-30", XINHUA, DAY, "议事会", "加装电梯", "是"],
                ["HY-31", JIEFANG, DAY, "座谈会", "老年食堂", "是"],
            ]
        },
    )
    upload(duo, other)
    duo.wait_for_contains_text("#sb-outcome", "拒收 2 行", timeout=TIMEOUT)
    hint = (
        "只能报送本乡镇及所辖村（社区）的行；此行属于 330281001000 城关街道，请删除，由该乡镇报送"
    )
    wait_for_rows(
        duo,
        "#sb-rejects",
        [
            ["城关会议台账.xlsx", "会议", "2", "区划代码", XINHUA, "超出本乡镇范围", hint],
            ["城关会议台账.xlsx", "会议", "3", "区划代码", JIEFANG, "超出本乡镇范围", hint],
        ],
    )
    settle(duo)
    assert duo.get_logs() == []


def test_an_old_excel_file_is_answered_not_dropped(duo, tmp_path):
    """A file chooser or drop that takes only .xlsx and .csv drops an .xls without a word:
    the page takes it, and the answer says to save it as .xlsx."""
    duo.driver.get(duo.server.url + "/submit")
    fill_in(duo, "wang", PASSWORD)
    duo.wait_for_element("#sb-upload", timeout=TIMEOUT)
    old = tmp_path / "sent" / "会议台账2025.xls"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))  # an OLE2 header
    upload(duo, old)
    duo.wait_for_contains_text("#sb-outcome", "未导入", timeout=TIMEOUT)
    # in the page's language only (the reason was one bilingual line)
    assert duo.find_element("#sb-outcome .sb-files").text == (
        "未导入 会议台账2025.xls：不是 xlsx 格式的表格，请在 Excel 或 WPS 中“另存为”.xlsx 后重新报送"
    )


def test_files_over_the_limit_or_of_no_kind_are_answered_not_dropped(duo, tmp_path, monkeypatch):
    """The drop area refused a file over the limit, or of a type it did not list, without
    a word; files each under the limit but over it together failed the callback (413),
    and the page showed nothing."""
    monkeypatch.setenv(MAX_UPLOAD_ENV, "1")
    duo.driver.get(duo.server.url + "/submit")
    fill_in(duo, "wang", PASSWORD)
    duo.wait_for_element("#sb-upload", timeout=TIMEOUT)
    big = tmp_path / "sent" / "东湖镇会议台账-大.csv"
    big.parent.mkdir(parents=True)
    big.write_bytes(b"x" * (1024 * 1024 + 1))
    upload(duo, big)
    duo.wait_for_text_to_equal(
        "#sb-too-large", "所选文件合计超过 1 MB，未报送：请分批报送", timeout=TIMEOUT
    )
    notes = tmp_path / "sent" / "说明.txt"
    notes.write_text("月报说明", encoding="utf-8")
    upload(duo, notes)
    duo.wait_for_contains_text("#sb-outcome", "说明.txt", timeout=TIMEOUT)
    assert not duo.driver.find_elements("css selector", "#sb-too-large")


def last_row(duo, grid: str) -> list[str]:
    """The texts of a grid's last row, scrolled into view through the grid's API."""
    duo.driver.execute_script(
        "const api = dash_ag_grid.getApi(arguments[0]);"
        "api.ensureIndexVisible(api.getDisplayedRowCount() - 1, 'bottom');",
        grid.lstrip("#"),
    )
    settle(duo, 0.4)
    rows = grid_rows(duo, grid)
    return rows[-1] if rows else []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_rejected_row_of_a_long_list_is_reached(duo, tmp_path, lang):
    """A ledger of 1,234 rows each with a bad 形式: the grid held the first 500 and its last
    row was Excel row 501; the pages under it now reach row 1,235, the ledger's last."""
    rows = [HEADER] + [
        [f"HY-{n}", LIUSHU, DAY, f"茶话会{n}", "村道硬化", "是"] for n in range(1, 1235)
    ]
    ledger = write_xlsx(tmp_path / "sent" / "会议台账.xlsx", {"本月": rows})
    duo.driver.get(duo.server.url + f"/submit?lang={lang}")
    fill_in(duo, "wang", PASSWORD)
    duo.wait_for_element("#sb-upload", timeout=TIMEOUT)
    upload(duo, ledger)
    duo.wait_for_element("#sb-rejects .ag-row", timeout=TIMEOUT)
    settle(duo)
    reason = "不在规定取值范围内" if lang == "zh" else "not one of the allowed values"
    assert last_row(duo, "#sb-rejects")[2:6] == ["501", "形式", "茶话会500", reason]
    duo.wait_for_text_to_equal(
        ".sb-pages-note",
        "共 1,234 行，每页 500 行，翻页查看全部"
        if lang == "zh"
        else "1,234 rows, 500 a page: turn the pages to see them all",
        timeout=TIMEOUT,
    )
    # the pager's last: dbc.Pagination's "»"
    last = duo.find_elements("#sb-rejects-pager .page-link")[-1]
    scroll_into_view(duo, last)
    last.click()
    deadline = time.time() + TIMEOUT
    while last_row(duo, "#sb-rejects")[2:3] != ["1,235"] and time.time() < deadline:
        settle(duo, 0.2)
    assert last_row(duo, "#sb-rejects")[2:6] == ["1,235", "形式", "茶话会1234", reason]
    assert (
        duo.driver.execute_script("return dash_ag_grid.getApi('sb-rejects').getDisplayedRowCount()")
        == 234
    )
    settle(duo)
    assert no_cut_cells(duo, "#sb-rejects") == {"blank_headers": 0, "cut": []}
    assert no_horizontal_scroll(duo)
    assert duo.get_logs() == []
