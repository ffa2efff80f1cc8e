"""A talent in a real browser (headless Chromium driven by Selenium): signs in with a development token,
chooses a video, watches its progress bar reach 100 %, sends the request, waits for the pipeline to
finish, approves one variant and rejects another with a reason. Screenshots go to ARTIFACTS.

Usage: portal_flow.py BASE_URL TOKEN VIDEO ARTIFACTS   (exit status 0 when every step held)
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

    deadline = time.time() + 180
    while time.time() < deadline:
        driver.refresh()
        if len(ours()) >= 2:
            break
        time.sleep(2)
    else:
        shot("04-timeout")
        raise AssertionError("no two variants awaiting approval after 180 s")
    assert "complete" in driver.find_element(By.ID, "requests").text
    shot("04-queue")

    step("approve one variant")
    first = ours()[0]
    first_id = first.get_attribute("data-variant")
    first.find_element(By.CSS_SELECTOR, "button.approve").click()
    wait.until(lambda d: "approved" in d.find_element(By.CSS_SELECTOR, f'[data-variant="{first_id}"] .badge').text)

    step("reject another with a reason")
    second_id = wait.until(lambda d: [a.get_attribute("data-variant") for a in ours() if a.get_attribute("data-variant") != first_id][0])
    second = lambda: driver.find_element(By.CSS_SELECTOR, f'[data-variant="{second_id}"]')
    wait.until(lambda d: second().find_element(By.CSS_SELECTOR, "input.reason").send_keys("Too long for TikTok") or True)
    second().find_element(By.CSS_SELECTOR, "button.reject").click()
    wait.until(lambda d: "rejected" in d.find_element(By.CSS_SELECTOR, f'[data-variant="{second_id}"] .badge').text)
    shot("05-decided")
    print(f"approved {first_id} rejected {second_id}", flush=True)
finally:
    driver.quit()
