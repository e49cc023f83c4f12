"""``optimise serve`` in a real browser (headless Debian chromium, networking
disabled, as the report tests do): upload a file and check it, then run a short plan
on the embedded data, watch its progress, and see the report's map draw the routes."""

from __future__ import annotations

import pandas as pd
import pytest

from optimise.app import create_app
from tests.app.client import serving

SCHOOLS = "ID,Name,Phase,Bell Time,lon,lat\nS1,First,primary,08:45,-1.61,55.17\n"


def _serve(root, personal: bool):
    """The app on uvicorn in a thread, on a free local port: yields its address."""
    with serving(create_app(root, None, personal=personal)) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The app (personal data off): (address, workspace)."""
    root = tmp_path_factory.mktemp("browser") / "workspace"
    for address in _serve(root, personal=False):
        yield address, root


@pytest.fixture(scope="module")
def served_personal(tmp_path_factory):
    """The app with personal data on (a routes run records who rides which route):
    (address, workspace)."""
    root = tmp_path_factory.mktemp("browser-personal") / "workspace"
    for address in _serve(root, personal=True):
        yield address, root


def _submit(browser, button_id: str) -> None:
    """Click a submit button and wait for the next page to have loaded.

    The old page is marked with a property of its ``window``; the next page has none.
    (Selenium's ``staleness_of`` asks chromedriver about the old page's element while
    it is being torn down, which now and then fails with "Node with given id does not
    belong to the document": a race in the driver, not in the app.)
    """
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.execute_script("window.__oldPage = true;")
    browser.find_element(By.ID, button_id).click()

    def loaded(driver) -> bool:
        try:
            return bool(driver.execute_script(
                "return !window.__oldPage && document.readyState === 'complete';"))  # fmt: skip
        except WebDriverException:  # the page is between documents
            return False

    WebDriverWait(browser, 30).until(loaded)


def _severe(browser) -> list:
    return [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]


def test_upload_a_file_and_check_it(browser, served, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    address, _root = served
    csv = tmp_path / "council schools.csv"
    csv.write_text(SCHOOLS, encoding="utf-8")
    browser.get(f"{address}/transport")
    Select(browser.find_element(By.ID, "upload-kind")).select_by_visible_text("schools")
    browser.find_element(By.ID, "upload-file").send_keys(str(csv))
    _submit(browser, "upload-button")
    bell = Select(browser.find_element(By.ID, "col-schools-bell_time"))
    assert bell.first_selected_option.text == "Bell Time"  # pre-filled by name
    Select(browser.find_element(By.ID, "col-schools-name")).select_by_visible_text("Name")
    _submit(browser, "check")
    assert "No problems found in 1 file" in browser.find_element(By.ID, "no-problems").text
    assert _severe(browser) == []


def test_run_a_short_plan_and_see_its_routes_on_the_map(browser, served, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    address, root = served
    browser.get(f"{address}/transport")
    for kind in ("pupils", "schools", "stops", "fleet"):
        pick = Select(browser.find_element(By.ID, f"pick-{kind}"))
        pick.select_by_value("")  # the embedded data
    _submit(browser, "use-files")
    limit = browser.find_element(By.ID, "time_limit")
    limit.clear()
    limit.send_keys("3")
    Select(browser.find_element(By.ID, "run")).select_by_value("am")
    _submit(browser, "run-button")
    assert browser.find_elements(By.ID, "bar")  # the live progress bar while it runs
    frame = WebDriverWait(browser, 120, poll_frequency=0.5).until(
        lambda b: b.find_element(By.ID, "report") if b.find_elements(By.ID, "report") else None
    )
    assert browser.find_element(By.ID, "status").text == "finished"
    run_id = browser.current_url.rstrip("/").rsplit("/", 1)[1]
    browser.switch_to.frame(frame)
    drawn = WebDriverWait(browser, 30).until(
        lambda b: b.execute_script("return window.reportFeatures")
    )
    paths = browser.execute_script(
        "return document.querySelectorAll('.leaflet-overlay-pane path').length"
    )
    browser.switch_to.default_content()
    routes = pd.read_csv(root / "runs" / run_id / "routes.csv")
    layers = drawn["map-transport"]
    assert sum(n for name, n in layers.items() if "oute" in name or "orning" in name) >= 1
    assert routes["route"].nunique() in layers.values()
    assert paths == sum(layers.values()) and paths > routes["route"].nunique()
    assert _severe(browser) == []
    shot = tmp_path / "app-run.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000


def test_run_a_short_estate_plan_and_see_its_disposals(browser, served):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    address, root = served
    browser.get(f"{address}/transport")
    nav = browser.find_element(By.ID, "nav")
    nav.find_element(By.LINK_TEXT, "Estate").click()
    WebDriverWait(browser, 30).until(lambda b: b.find_elements(By.ID, "max_travel"))
    for name, value in (("max_travel", "25"), ("time_limit", "4")):
        field = browser.find_element(By.ID, name)
        field.clear()
        field.send_keys(value)
    _submit(browser, "run-button")
    WebDriverWait(browser, 120, poll_frequency=0.5).until(
        lambda b: b.find_elements(By.ID, "report") or b.find_elements(By.ID, "ended")
    )
    assert browser.find_element(By.ID, "status").text == "finished"
    run_id = browser.current_url.rstrip("/").rsplit("/", 1)[1]
    ranked = pd.read_csv(root / "runs" / run_id / "disposals.csv")
    rows = browser.find_elements(By.CSS_SELECTOR, "#disposals tr")[1:]
    assert len(rows) == min(len(ranked), 50) > 0
    assert rows[0].find_elements(By.TAG_NAME, "td")[1].text.endswith(f"({ranked.site_id[0]})")
    assert _severe(browser) == []


def test_lock_a_route_replan_and_see_it_unchanged(browser, served):
    """A pick-up point plan on the embedded data (its record of who rides which route
    is kept with personal data off), one route locked in the editor, re-planned: the new
    run keeps the route's vehicle type, pick-ups, order and pupils."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    address, root = served

    def finished(b):
        return b.find_elements(By.ID, "report") or b.find_elements(By.ID, "ended")

    browser.get(f"{address}/transport")
    for kind in ("pupils", "schools", "stops", "fleet"):
        Select(browser.find_element(By.ID, f"pick-{kind}")).select_by_value("")
    _submit(browser, "use-files")
    Select(browser.find_element(By.ID, "command")).select_by_value("plan")
    limit = browser.find_element(By.ID, "time_limit")
    limit.clear()
    limit.send_keys("25")
    Select(browser.find_element(By.ID, "run")).select_by_value("am")
    _submit(browser, "run-button")
    WebDriverWait(browser, 300, poll_frequency=0.5).until(finished)
    assert browser.find_element(By.ID, "status").text == "finished"
    parent = browser.current_url.rstrip("/").rsplit("/", 1)[1]
    browser.find_element(By.ID, "edit").click()
    WebDriverWait(browser, 60).until(lambda b: b.find_elements(By.ID, "edit-routes"))
    box = browser.find_element(By.CSS_SELECTOR, "#edit-routes input[name=lock]")
    route = box.get_attribute("value")
    browser.execute_script("arguments[0].scrollIntoView();", box)
    box.click()
    _submit(browser, "lock-button")
    assert browser.find_element(By.ID, f"lock-{route}").is_selected()
    assert route in browser.find_element(By.ID, "replan").text
    limit = browser.find_element(By.ID, "replan-time")
    limit.clear()
    limit.send_keys("25")
    _submit(browser, "replan-button")
    WebDriverWait(browser, 300, poll_frequency=0.5).until(finished)
    assert browser.find_element(By.ID, "status").text == "finished"
    child = browser.current_url.rstrip("/").rsplit("/", 1)[1]
    assert browser.find_element(By.ID, "parent").text == f"run {parent}"
    cols = ["vehicle_type", "sequence", "kind", "id", "pupils_boarding"]

    def kept(run_id: str) -> tuple[list, list]:
        folder = root / "runs" / run_id
        rows = pd.read_csv(folder / "routes.csv", dtype=str, keep_default_na=False)
        who = pd.read_csv(folder / "assignments-personal.csv", dtype=str, keep_default_na=False)
        return (rows[rows["route"] == route][cols].values.tolist(),
                sorted(who[who["route"] == route]["pupil_id"]))  # fmt: skip

    before, after = kept(parent), kept(child)
    assert before[0] and before[1] and after == before
    browser.find_element(By.ID, "compare-parent").click()
    WebDriverWait(browser, 60).until(lambda b: b.find_elements(By.ID, "compare-figures"))
    assert _severe(browser) == []


def _small_files(folder) -> dict[str, object]:
    """A council's small file set from the embedded data: the pupils of Blyth's
    mainstream schools and a few of its special school's (pupils' id column named
    "Pupil Ref"), those schools, Blyth's stops and a fleet of four Blyth vehicles."""
    from geodata.default import load_default

    data = load_default(2026)
    schools = data.schools[data.schools.town == "Blyth"]
    pupils = data.pupils[data.pupils.school_id.isin(schools.id)]
    pupils = pd.concat([pupils[pupils.school_id != "S058"], pupils[pupils.school_id == "S058"][:6]])
    frames = {"pupils": pupils, "schools": schools[schools.id.isin(pupils.school_id)],
              "stops": data.stops[data.stops.name.str.contains("Blyth")],
              "fleet": data.fleet[data.fleet.id.isin(["V05", "V09", "V13", "V16"])]}  # fmt: skip
    out = {}
    for kind, frame in frames.items():
        ll = frame.geometry.to_crs(4326)
        table = pd.DataFrame(frame.drop(columns="geometry")).assign(lon=ll.x, lat=ll.y)
        if kind == "pupils":
            table = table.rename(columns={"id": "Pupil Ref"})
        out[kind] = folder / f"blyth {kind}.csv"
        table.to_csv(out[kind], index=False)
    return out


def test_upload_map_plan_see_the_map_lock_replan_and_keep_the_route(
    browser, served_personal, tmp_path
):
    """Issue #16's done-when, end to end in the browser: upload a small file set, map
    a column, check, run a short routes plan, see its routes on the report's map, lock
    one route in the editor, re-plan, and find the locked route unchanged."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    address, root = served_personal

    def finished(b):
        return b.find_elements(By.ID, "report") or b.find_elements(By.ID, "ended")

    browser.get(f"{address}/transport")
    files = _small_files(tmp_path)
    for kind, path in files.items():
        Select(browser.find_element(By.ID, "upload-kind")).select_by_visible_text(kind)
        browser.find_element(By.ID, "upload-file").send_keys(str(path))
        _submit(browser, "upload-button")
    pupil_id = Select(browser.find_element(By.ID, "col-pupils-id"))
    assert pupil_id.first_selected_option.text == "(not in the file)"  # needs mapping
    pupil_id.select_by_visible_text("Pupil Ref")
    _submit(browser, "check")
    assert "No problems found in 4 files" in browser.find_element(By.ID, "no-problems").text
    assert Select(browser.find_element(By.ID, "col-pupils-id")).first_selected_option.text == (
        "Pupil Ref"
    )
    Select(browser.find_element(By.ID, "command")).select_by_value("routes")
    limit = browser.find_element(By.ID, "time_limit")
    limit.clear()
    limit.send_keys("20")
    Select(browser.find_element(By.ID, "run")).select_by_value("am")
    _submit(browser, "run-button")
    WebDriverWait(browser, 180, poll_frequency=0.5).until(finished)
    assert browser.find_element(By.ID, "status").text == "finished"
    parent = browser.current_url.rstrip("/").rsplit("/", 1)[1]
    routes = pd.read_csv(root / "runs" / parent / "routes-personal.csv", dtype=str,
                         keep_default_na=False)  # fmt: skip
    browser.switch_to.frame(browser.find_element(By.ID, "report"))
    drawn = WebDriverWait(browser, 60).until(
        lambda b: b.execute_script(
            "return document.querySelectorAll('.leaflet-overlay-pane path.leaflet-interactive')"
            ".length"
        )
    )
    browser.switch_to.default_content()
    assert drawn >= routes["route"].nunique() > 0
    browser.find_element(By.ID, "edit").click()
    WebDriverWait(browser, 60).until(lambda b: b.find_elements(By.ID, "edit-routes"))
    box = browser.find_element(By.CSS_SELECTOR, "#edit-routes input[name=lock]")
    route = box.get_attribute("value")
    browser.execute_script("arguments[0].scrollIntoView();", box)
    box.click()
    _submit(browser, "lock-button")
    assert browser.find_element(By.ID, f"lock-{route}").is_selected()
    limit = browser.find_element(By.ID, "replan-time")
    limit.clear()
    limit.send_keys("20")
    _submit(browser, "replan-button")
    WebDriverWait(browser, 180, poll_frequency=0.5).until(finished)
    assert browser.find_element(By.ID, "status").text == "finished"
    child = browser.current_url.rstrip("/").rsplit("/", 1)[1]
    assert child != parent and browser.find_element(By.ID, "parent").text == f"run {parent}"
    cols = ["vehicle_type", "sequence", "kind", "id", "pupils_boarding"]

    def kept(run_id: str) -> list:
        rows = pd.read_csv(root / "runs" / run_id / "routes-personal.csv", dtype=str,
                           keep_default_na=False)  # fmt: skip
        am = rows["run"] == "am" if "run" in rows else True
        return rows[(rows["route"] == route) & am][cols].values.tolist()

    before = kept(parent)
    assert before and kept(child) == before  # same vehicle type, stops, order and pupils
    assert _severe(browser) == []
