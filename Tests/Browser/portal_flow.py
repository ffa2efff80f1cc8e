"""A talent in a real browser (headless Chromium driven by Selenium): signs in with a development token,
chooses a video, watches its progress bar reach 100 %, sends the request, waits for the pipeline to
finish, approves one variant, rejects another with a reason, and sees its replacement (version 2) appear
under the same post idea. Screenshots go to ARTIFACTS.

Usage: portal_flow.py BASE_URL TOKEN VIDEO ARTIFACTS [PROMPT]   (exit status 0 when every step held)
With DRSOCIAL_DAEMON_PID set, the wait for the pipeline gives up only when it has stalled: the page unchanged
and the daemon (with its media children) using next to no CPU for two minutes.
"""
import os
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

base, token, video, artifacts = sys.argv[1:5]
os.makedirs(artifacts, exist_ok=True)
options = webdriver.ChromeOptions()
for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1200,1600",
             "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"):
    options.add_argument(flag)
options.binary_location = "/usr/bin/chromium"
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
# The queue is re-rendered after every action: elements go stale, so waits ignore that and look again.
wait = WebDriverWait(driver, 120, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException))


def tree_cpu_seconds(root):
    """CPU seconds used by `root` and its live descendants (with the children they reaped)."""
    parent, ticks = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parent[int(entry)] = int(fields[1])
        ticks[int(entry)] = sum(int(v) for v in fields[11:15])

    def in_tree(pid):
        for _ in range(64):
            if pid == root:
                return True
            pid = parent.get(pid, 1)
            if pid <= 1:
                return False
        return False

    return sum(t for pid, t in ticks.items() if in_tree(pid)) / os.sysconf("SC_CLK_TCK")


def shot(name):
    driver.save_screenshot(os.path.join(artifacts, name + ".png"))


def step(message):
    print("step:", message, flush=True)


try:
    step("sign in")
    driver.get(f"{base}/me/sign-in?token={token}")
    wait.until(ready.presence_of_element_located((By.ID, "request-form")))
    shot("01-signed-in")

    step("choose a video")
    driver.find_element(By.ID, "prompt").send_keys(sys.argv[5] if len(sys.argv) > 5 else "Browser test: a short studio clip")
    driver.find_element(By.ID, "files").send_keys(os.path.abspath(video))
    wait.until(ready.presence_of_element_located((By.ID, "progress-0")))
    shot("02-file-chosen")

    step("send it and watch the progress bar")
    driver.find_element(By.ID, "submit").click()
    try:
        wait.until(lambda d: d.find_element(By.ID, "submit").get_attribute("data-sent"))
    except Exception:
        shot("03-refused")
        raise AssertionError("not sent: " + driver.find_element(By.ID, "form-error").text)
    value = driver.execute_script("var b = document.getElementById('progress-0'); return b ? b.value : 100;")
    assert float(value) >= 100, f"progress bar at {value}"
    shot("03-sent")

    step("wait for the request to complete and its variants to be queued")
    prompt = sys.argv[5] if len(sys.argv) > 5 else "Browser test: a short studio clip"

    def ours():
        # The variants of the request this test sent, still awaiting approval.
        for idea in driver.find_elements(By.CSS_SELECTOR, "#queue section.idea"):
            if idea.find_element(By.TAG_NAME, "h3").text == prompt:
                return [a for a in idea.find_elements(By.CSS_SELECTOR, "article.variant")
                        if a.find_elements(By.CSS_SELECTOR, "button.approve")]
        return []

    daemon = int(os.environ.get("DRSOCIAL_DAEMON_PID", "0"))

    def wait_for_daemon(done, what, name):
        """Reloads until done() holds; gives up only when the page and the daemon's CPU have stood still."""
        last_seen, last_move, cpu_at_move = None, time.time(), 0.0
        while True:
            driver.refresh()
            if done():
                return
            seen = driver.find_element(By.ID, "requests").text + driver.find_element(By.ID, "queue").text
            cpu = tree_cpu_seconds(daemon) if daemon else 0.0
            if seen != last_seen or cpu - cpu_at_move >= 3:
                last_seen, last_move, cpu_at_move = seen, time.time(), cpu
            elif time.time() - last_move > (120 if daemon else 300):
                shot(name)
                raise AssertionError(what + ", and nothing moved for two minutes")
            time.sleep(2)

    wait_for_daemon(lambda: len(ours()) >= 2, "no two variants awaiting approval", "04-stalled")
    assert "complete" in driver.find_element(By.ID, "requests").text
    shot("04-queue")

    step("approve one variant")
    first = ours()[0]
    first_id = first.get_attribute("data-variant")
    first.find_element(By.CSS_SELECTOR, "button.approve").click()
    # Approved, and then handed to the publisher: it may already be queued, published or (no backend for its
    # channel in this test) failed with the reason.
    wait.until(lambda d: d.find_element(By.CSS_SELECTOR, f'[data-variant="{first_id}"] .badge').text
               in ("approved", "queued", "published", "failed"))

    step("reject another with a reason")
    second_id = wait.until(lambda d: [a.get_attribute("data-variant") for a in ours() if a.get_attribute("data-variant") != first_id][0])
    second = lambda: driver.find_element(By.CSS_SELECTOR, f'[data-variant="{second_id}"]')
    wait.until(lambda d: second().find_element(By.CSS_SELECTOR, "input.reason").send_keys("Too long for TikTok") or True)
    second().find_element(By.CSS_SELECTOR, "button.reject").click()
    wait.until(lambda d: "rejected" in d.find_element(By.CSS_SELECTOR, f'[data-variant="{second_id}"] .badge').text)
    shot("05-decided")
    print(f"approved {first_id} rejected {second_id}", flush=True)

    step("see the rejected variant's replacement appear")
    rejected_platform = driver.find_element(By.CSS_SELECTOR, f'[data-variant="{second_id}"] header strong').text

    def replacement():
        for article in ours():
            if article.get_attribute("data-version") == "2" and article.find_element(By.CSS_SELECTOR, "header strong").text == rejected_platform:
                return article.get_attribute("data-variant")
        return None

    wait_for_daemon(lambda: replacement() is not None, "no replacement for the rejected variant", "06-no-replacement")
    # The rejected version stays visible, with its reason.
    assert "Too long for TikTok" in driver.find_element(By.CSS_SELECTOR, f'[data-variant="{second_id}"] .reason').text
    shot("06-replacement")
    print(f"replacement {replacement()}", flush=True)
finally:
    driver.quit()
