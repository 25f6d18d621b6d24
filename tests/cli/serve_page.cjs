// Drives the page of `whatcar serve` in headless Chromium as a user would: choose a photo, wait
// for the answer, read it off the page. Prints what the page shows as JSON; saves a screenshot.
//   node serve_page.cjs URL PHOTO SCREENSHOT   (puppeteer-core on NODE_PATH; CHROMIUM: the browser)
"use strict";
const puppeteer = require("puppeteer-core");

async function main(url, photo, screenshot) {
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    // No sandbox: CI runs as root, where Chromium's sandbox refuses to start.
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({width: 390, height: 844, deviceScaleFactor: 1, isMobile: true, hasTouch: true});
    const external = [];
    page.on("request", r => { if (!r.url().startsWith(url) && !r.url().startsWith("blob:")) external.push(r.url()); });
    const consoleErrors = [];
    page.on("console", m => { if (m.type() === "error") consoleErrors.push(m.text()); });
    await page.goto(url, {waitUntil: "load"});
    const input = await page.$("#pick");
    await input.uploadFile(photo);
    await page.waitForFunction(() => ["done", "error"].includes(document.getElementById("status").dataset.state),
                               {timeout: 30000});
    const shown = await page.evaluate(() => ({
      status: document.getElementById("status").textContent,
      state: document.getElementById("status").dataset.state,
      cars: [...document.querySelectorAll(".car h2")].map(h => h.textContent),
      predictions: [...document.querySelectorAll(".car tr.pred")].map(r => r.textContent),
      boxes: document.querySelectorAll("#photo .box").length,
      photoShown: !document.getElementById("photo").hidden && document.getElementById("preview").naturalWidth > 0,
    }));
    await page.screenshot({path: screenshot, fullPage: true});
    console.log(JSON.stringify({...shown, external, consoleErrors}));
  } finally {
    await browser.close();
  }
}

main(...process.argv.slice(2)).catch(e => {
  console.error(e);
  process.exit(1);
});
