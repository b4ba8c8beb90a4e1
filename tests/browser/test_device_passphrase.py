"""The device passphrase of a phone whose passkey has no PRF (issue 14 item 7), in Chromium.

With a copy of the browser profile, an attacker guesses the device secret offline, where no
wait after wrong guesses applies, at one Argon2id (64 MiB, t=3) per guess: a 6-digit PIN falls
in days of one core (docs/device-security.md has the measured cost). New phones must choose a
passphrase of at least 10 characters (test_device_security covers the refusal at set-up); a
phone set up when 6 digits were enough must choose one at its next unlock.

Such a phone is made here from a new one exactly as it would be: the same data key, wrapped
under a 6-digit PIN (Argon2id + HKDF-SHA256 + AES-GCM, the app's parameters, computed here with
``cryptography``), in place of the wrap under the passphrase.
"""

from __future__ import annotations

import base64
import os
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from playwright.async_api import Browser, Page, expect

from harness.browser import axe_violations
from harness.server import LiveServer
from tests.browser.test_device_security import (
    VICTIM,
    choose_passphrase,
    enrolled_without_prf,
    start_visit_with_victim,
)

PASSPHRASE = "amber otter 58"
OLD_PIN = "482916"
NEW_PASSPHRASE = "copper lantern 7"
WRAP_AAD = b"doorstep/v1/data-key"
KEK_INFO = b"doorstep/v1/kek/pin"

# meta.vault of the `doorstep` database, with its bytes as base64.
READ_VAULT = """
async () => {
  const b64 = (x) =>
    btoa(String.fromCharCode(...new Uint8Array(x instanceof ArrayBuffer ? x : x.buffer)));
  const db = await new Promise((resolve, reject) => {
    const r = indexedDB.open("doorstep");
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  const vault = await new Promise((resolve, reject) => {
    const req = db.transaction("meta").objectStore("meta").get("vault");
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  db.close();
  const wrapped = {iv: b64(vault.wrapped.iv), ct: b64(vault.wrapped.ct)};
  return {...vault, salt: b64(vault.salt), wrapped};
}
"""

# Put meta.vault back with the given salt and wrapped key (base64), as bytes.
WRITE_VAULT = """
async (vault) => {
  const bytes = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  const value = {...vault, salt: bytes(vault.salt),
                 wrapped: {iv: bytes(vault.wrapped.iv), ct: bytes(vault.wrapped.ct).buffer}};
  const db = await new Promise((resolve, reject) => {
    const r = indexedDB.open("doorstep");
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  await new Promise((resolve, reject) => {
    const tx = db.transaction("meta", "readwrite");
    tx.objectStore("meta").put(value, "vault");
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
  });
  db.close();
  return true;
}
"""


def kek(secret: str, salt: bytes, argon2: dict[str, int]) -> AESGCM:
    """The key-encryption key of a device secret, as the app derives it."""
    stretched = Argon2id(
        salt=salt,
        length=argon2["hashLength"],
        iterations=argon2["iterations"],
        lanes=argon2["parallelism"],
        memory_cost=argon2["memoryKiB"],
    ).derive(secret.encode())
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=KEK_INFO).derive(stretched)
    return AESGCM(key)


def wrapped_under(vault: dict[str, Any], secret: str, new_secret: str) -> dict[str, Any]:
    """The vault with its data key unwrapped with ``secret`` and wrapped under ``new_secret``."""
    salt = base64.b64decode(vault["salt"])
    iv = base64.b64decode(vault["wrapped"]["iv"])
    ct = base64.b64decode(vault["wrapped"]["ct"])
    data_key = kek(secret, salt, vault["argon2"]).decrypt(iv, ct, WRAP_AAD)
    new_salt, new_iv = os.urandom(16), os.urandom(12)
    new_ct = kek(new_secret, new_salt, vault["argon2"]).encrypt(new_iv, data_key, WRAP_AAD)
    return {
        **vault,
        "salt": base64.b64encode(new_salt).decode(),
        "wrapped": {
            "iv": base64.b64encode(new_iv).decode(),
            "ct": base64.b64encode(new_ct).decode(),
        },
    }


async def unlock(page: Page, secret: str) -> None:
    """Type the device secret on the lock screen."""
    await expect(page.get_by_role("heading", name="Doorstep is locked")).to_be_visible(
        timeout=20_000
    )
    await page.get_by_label("Device passphrase").fill(secret)
    await page.get_by_role("button", name="Unlock").click()


async def test_existing_six_digit_pin_must_be_changed_at_next_unlock(
    live_server: LiveServer, browser: Browser
) -> None:
    context, page = await enrolled_without_prf(browser, live_server)
    await choose_passphrase(page, PASSPHRASE)
    await expect(page.get_by_role("heading", name="My visits")).to_be_visible(timeout=30_000)
    await start_visit_with_victim(page, "22/72001/26")
    await expect(page.get_by_label("Victim name")).to_have_value(VICTIM)
    await page.wait_for_timeout(1_000)  # the edit is saved

    # The same phone as it was when 6 digits were enough: its data key under a 6-digit PIN.
    vault = await page.evaluate(READ_VAULT)
    assert vault["method"] == "pin"
    await page.evaluate(WRITE_VAULT, wrapped_under(vault, PASSPHRASE, OLD_PIN))

    await page.reload()
    await unlock(page, OLD_PIN)
    heading = page.get_by_role("heading", name="Choose a longer device passphrase")
    await expect(heading).to_be_visible(timeout=30_000)
    assert VICTIM not in await page.content()
    violations = await axe_violations(page)
    assert violations == [], violations
    await choose_passphrase(page, "4829163307", "Change passphrase")
    await expect(page.get_by_role("alert")).to_contain_text("letters as well as digits")
    await choose_passphrase(page, NEW_PASSPHRASE, "Change passphrase")
    await expect(heading).to_be_hidden(timeout=30_000)
    await expect(page.get_by_label("Victim name")).to_have_value(VICTIM, timeout=10_000)

    # The 6-digit PIN opens nothing any more; the new passphrase opens the same data.
    changed = await page.evaluate(READ_VAULT)
    assert changed["salt"] != vault["salt"]
    await page.reload()
    await unlock(page, OLD_PIN)
    await expect(page.get_by_role("alert")).to_have_text("Wrong passphrase.", timeout=30_000)
    await page.get_by_label("Device passphrase").fill(NEW_PASSPHRASE)
    await page.get_by_role("button", name="Unlock").click()
    await expect(page.get_by_label("Victim name")).to_have_value(VICTIM, timeout=30_000)
    await expect(heading).to_have_count(0)
    await context.close()
