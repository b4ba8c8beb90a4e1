"""The leave-behind's texts: a catalogue complete in Welsh, versions administrators add."""

from __future__ import annotations

import dataclasses
import re

from starlette.applications import Starlette

from server.aftercare.content import default_texts, render_text
from server.aftercare.enums import Language
from server.aftercare.messages import LEAVE_BEHIND, LEAVE_BEHIND_KEYS, PLACEHOLDERS, SURVEY
from server.audit.models import AuditEvent
from server.settings import Settings
from tests.server.aftercare.phone_aftercare import leave_behind_fields, push_one
from tests.server.supervision.phone_visits import Enrolled, completed_visit


def test_every_text_is_in_welsh_and_uses_only_known_placeholders() -> None:
    for catalogue in (LEAVE_BEHIND, SURVEY):
        assert set(catalogue[Language.CY]) == set(catalogue[Language.EN])
        for language in Language:
            for key, text in catalogue[language].items():
                assert text.strip(), (language, key)
                if catalogue is SURVEY:
                    continue
                for name in re.findall(r"\{([a-z_]+)\}", text):
                    assert name in PLACEHOLDERS, (language, key, name)
    assert tuple(LEAVE_BEHIND[Language.EN]) == LEAVE_BEHIND_KEYS
    # Welsh is Welsh, not English left behind.
    for key in LEAVE_BEHIND_KEYS:
        if key != "force_name":
            assert LEAVE_BEHIND[Language.CY][key] != LEAVE_BEHIND[Language.EN][key], key


def test_the_reference_rendering_in_welsh_keeps_the_survey_link_secret() -> None:
    texts = default_texts(Settings(force_name="Heddlu Dyfed-Powys"))["cy"]
    values = {
        "officer_name": "PC Siân Jones",
        "officer_phone": "101",
        "officer_email": "sian.jones@police.example",
        "crime_reference": "DP/123/26",
        "visit_date": "23/11/2026",
    }
    text = render_text(texts, values, ["Gosodwch gloeon ffenestri"])
    assert text.startswith("Heddlu Dyfed-Powys\n\nAr ôl y fyrgleriaeth yn eich cartref")
    assert "Eich cyfeirnod trosedd yw DP/123/26." in text
    assert "Daeth PC Siân Jones i'ch gweld ar 23/11/2026." in text
    assert "Cyngor i helpu i gadw'ch cartref yn ddiogel\n- Gosodwch gloeon ffenestri" in text
    assert text.endswith("nid yw'n gofyn dim amdanoch chi: {survey_link}")
    without = render_text(texts, values, [], survey=False)
    assert "{survey_link}" not in without
    assert "Cyngor i helpu" not in without


async def test_served_in_the_force_languages_and_changed_by_administrators(
    app: Starlette, enrolled: Enrolled
) -> None:
    officer = await enrolled()
    admin = await enrolled(role="admin")
    served = (await officer.client.get("/api/leave-behind")).json()
    assert (served["version"], served["languages"], list(served["texts"])) == (1, ["en"], ["en"])
    assert served["texts"]["en"]["force_name"] == "Demo Constabulary"
    assert served["keys"] == list(LEAVE_BEHIND_KEYS)

    app.state.settings = dataclasses.replace(
        app.state.settings, leave_behind_languages=("cy", "en")
    )
    bilingual = (await officer.client.get("/api/leave-behind")).json()
    assert bilingual["languages"] == ["cy", "en"]
    assert bilingual["texts"]["cy"]["support_heading"] == "Cymorth i chi"

    english = dict(LEAVE_BEHIND[Language.EN])
    missing_welsh = await admin.client.put(
        "/api/admin/leave-behind", json={"texts": {"en": english}}
    )
    assert missing_welsh.status_code == 422
    assert missing_welsh.json()["error"]["details"]["fields"][0]["field"] == "texts.cy"
    welsh = {**LEAVE_BEHIND[Language.CY], "force_name": "Heddlu Demo"}
    wrong = await admin.client.put(
        "/api/admin/leave-behind",
        json={"texts": {"en": {**english, "title": "Hi {victim_name}"}, "cy": welsh}},
    )
    assert wrong.status_code == 422
    assert "{victim_name} is not a placeholder" in wrong.json()["error"]["message"]
    forbidden = await officer.client.put(
        "/api/admin/leave-behind", json={"texts": {"en": english, "cy": welsh}}
    )
    assert forbidden.status_code == 403

    changed = await admin.client.put(
        "/api/admin/leave-behind",
        json={
            "texts": {"en": {**english, "force_name": "Demo Police"}, "cy": welsh},
            "note": "name",
        },
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 2
    now = (await officer.client.get("/api/leave-behind")).json()
    assert (now["version"], now["texts"]["cy"]["force_name"]) == (2, "Heddlu Demo")
    old = (await officer.client.get("/api/leave-behind/versions/1")).json()
    assert old["texts"]["en"]["force_name"] == "Demo Constabulary"
    assert (await officer.client.get("/api/leave-behind/versions/9")).status_code == 404
    assert await AuditEvent.filter(record_type="leave_behind_content", record_id="2").exists()

    # A leave-behind made offline from version 1 is still accepted: it is what was given.
    phone, visit_id = await completed_visit(officer)
    given = await push_one(phone, "leave_behinds", leave_behind_fields(visit_id, language="cy"))
    assert given["status"] == "applied", given
    unknown = await push_one(
        phone, "leave_behinds", leave_behind_fields(visit_id, content_version=7)
    )
    assert unknown["error"]["details"]["field"] == "content_version"
