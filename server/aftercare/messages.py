"""The message catalogue: every text a victim reads, keyed, in English and Welsh (Cymraeg).

``LEAVE_BEHIND`` holds the leave-behind's default texts, installed as content version 1 by
``doorstep migrate`` and edited afterwards by administrators as data (``server.aftercare
.content``). ``SURVEY`` holds the public survey page's texts. Welsh is complete for both
(``tests/server/aftercare/test_messages.py``): forces in Wales work under the Welsh Language
Standards, so a Welsh page must never fall back to English.
"""

from __future__ import annotations

from server.aftercare.enums import Language

# Every text of the leave-behind, in the order the page shows them. ``{name}`` placeholders
# are filled in from the visit and the officer's account (``PLACEHOLDERS``).
LEAVE_BEHIND_KEYS: tuple[str, ...] = (
    "force_name",
    "title",
    "visit_summary",
    "crime_reference",
    "officer_heading",
    "officer_contact",
    "next_heading",
    "what_happens_next",
    "victims_code_heading",
    "victims_code",
    "support_heading",
    "victim_support",
    "other_numbers",
    "advice_heading",
    "survey_heading",
    "survey_invite",
    "email_subject",
)

PLACEHOLDERS: tuple[str, ...] = (
    "force_name",
    "officer_name",
    "officer_phone",
    "officer_email",
    "crime_reference",
    "visit_date",
    "survey_link",
)

LEAVE_BEHIND: dict[Language, dict[str, str]] = {
    Language.EN: {
        "force_name": "{force_name}",
        "title": "After the burglary at your home: what happens next",
        "visit_summary": "{officer_name} visited you on {visit_date}.",
        "crime_reference": "Your crime reference number is {crime_reference}. Please quote it "
        "whenever you contact us.",
        "officer_heading": "Your officer",
        "officer_contact": "{officer_name}. Phone {officer_phone}. Email {officer_email}.",
        "next_heading": "What happens next",
        "what_happens_next": "We will look at all the evidence gathered, including any "
        "forensic samples and CCTV. We will tell you about any important developments and "
        "keep you informed of progress. If we cannot take the investigation further, we will "
        "tell you why.",
        "victims_code_heading": "Your rights under the Victims' Code",
        "victims_code": "As a victim of crime you have rights under the Code of Practice for "
        "Victims of Crime in England and Wales (the Victims' Code). They include the right to "
        "be kept informed about the investigation, to be referred to services that support "
        "victims, to make a Victim Personal Statement, and to complain if your rights are not "
        "met. Read the Code at www.gov.uk/government/publications/"
        "the-code-of-practice-for-victims-of-crime.",
        "support_heading": "Support for you",
        "victim_support": "Victim Support is free and confidential, whether or not the crime "
        "is solved: call 08 08 16 89 111 (24 hours) or visit www.victimsupport.org.uk.",
        "other_numbers": "In an emergency call 999. For anything else call 101. To give "
        "information anonymously call Crimestoppers on 0800 555 111.",
        "advice_heading": "Advice to help keep your home safe",
        "survey_heading": "Tell us how we did",
        "survey_invite": "We would like to know how satisfied you are with the service you "
        "received. The short survey takes two minutes and asks nothing about you: "
        "{survey_link}",
        "email_subject": "{force_name}: your crime reference {crime_reference}",
    },
    Language.CY: {
        "force_name": "{force_name}",
        "title": "Ar ôl y fyrgleriaeth yn eich cartref: beth sy'n digwydd nesaf",
        "visit_summary": "Daeth {officer_name} i'ch gweld ar {visit_date}.",
        "crime_reference": "Eich cyfeirnod trosedd yw {crime_reference}. Nodwch y cyfeirnod "
        "hwn bob tro y byddwch yn cysylltu â ni.",
        "officer_heading": "Eich swyddog",
        "officer_contact": "{officer_name}. Ffôn {officer_phone}. E-bost {officer_email}.",
        "next_heading": "Beth sy'n digwydd nesaf",
        "what_happens_next": "Byddwn yn edrych ar yr holl dystiolaeth a gasglwyd, gan gynnwys "
        "unrhyw samplau fforensig a lluniau teledu cylch cyfyng (CCTV). Byddwn yn dweud "
        "wrthych am unrhyw ddatblygiadau pwysig ac yn rhoi'r wybodaeth ddiweddaraf i chi am "
        "hynt yr achos. Os na allwn fynd â'r ymchwiliad ymhellach, byddwn yn dweud wrthych "
        "pam.",
        "victims_code_heading": "Eich hawliau o dan y Cod Dioddefwyr",
        "victims_code": "Fel dioddefwr trosedd mae gennych hawliau o dan y Cod Ymarfer ar "
        "gyfer Dioddefwyr Troseddau yng Nghymru a Lloegr (y Cod Dioddefwyr). Maent yn cynnwys "
        "yr hawl i gael gwybod am yr ymchwiliad, i gael eich atgyfeirio at wasanaethau sy'n "
        "cefnogi dioddefwyr, i wneud Datganiad Personol Dioddefwr, ac i gwyno os na chaiff "
        "eich hawliau eu parchu. Darllenwch y Cod yn www.gov.uk/government/publications/"
        "the-code-of-practice-for-victims-of-crime.",
        "support_heading": "Cymorth i chi",
        "victim_support": "Mae Cymorth i Ddioddefwyr yn wasanaeth am ddim a chyfrinachol, "
        "p'un a gaiff y drosedd ei datrys ai peidio: ffoniwch 08 08 16 89 111 (24 awr) neu "
        "ewch i www.victimsupport.org.uk.",
        "other_numbers": "Mewn argyfwng, ffoniwch 999. Ar gyfer unrhyw beth arall, ffoniwch "
        "101. I roi gwybodaeth yn ddienw, ffoniwch Taclo'r Taclau ar 0800 555 111.",
        "advice_heading": "Cyngor i helpu i gadw'ch cartref yn ddiogel",
        "survey_heading": "Dywedwch wrthym sut gwnaethon ni",
        "survey_invite": "Hoffem wybod pa mor fodlon ydych chi â'r gwasanaeth a gawsoch. Mae'r "
        "arolwg byr yn cymryd dau funud ac nid yw'n gofyn dim amdanoch chi: {survey_link}",
        "email_subject": "{force_name}: eich cyfeirnod trosedd {crime_reference}",
    },
}

# The public survey page. Scale labels are keyed by score, 5 (best) first.
SURVEY: dict[Language, dict[str, str]] = {
    Language.EN: {
        "lang_name": "English",
        "title": "How satisfied are you with the police service?",
        "intro": "This survey is about the police visit after the burglary at your home. It "
        "asks nothing about you and takes about two minutes.",
        "q_overall": "Overall, how satisfied are you with the whole experience?",
        "q_ease_of_contact": "How satisfied are you with how easy it was to contact the police?",
        "q_actions_taken": "How satisfied are you with what the police did?",
        "q_kept_informed": "How satisfied are you with how well you were kept informed?",
        "q_treatment": "How satisfied are you with how you were treated?",
        "score_5": "Very satisfied",
        "score_4": "Fairly satisfied",
        "score_3": "Neither satisfied nor dissatisfied",
        "score_2": "Fairly dissatisfied",
        "score_1": "Very dissatisfied",
        "optional": "(optional)",
        "q_comment": "Is there anything else you would like to tell us? Please do not include "
        "names or contact details.",
        "submit": "Send my answers",
        "thanks_title": "Thank you",
        "thanks": "Your answers have been received. They help us improve the service to "
        "victims of crime.",
        "answered_title": "This survey has already been answered",
        "answered": "Answers for this visit have already been received, so the link cannot be "
        "used again.",
        "expired_title": "This survey link has expired",
        "expired": "Survey links last {days} days. If you would still like to tell us how we "
        "did, call 101 and quote your crime reference.",
        "not_found_title": "This survey link is not valid",
        "not_found": "Check the link on the page you were given. If it still does not work, "
        "call 101.",
        "too_many_title": "Too many attempts",
        "too_many": "Please wait a few minutes and try again.",
        "error_summary": "There is a problem",
        "error_required": "Choose an answer for: {question}",
        "error_invalid": "Choose one of the answers given for: {question}",
        "error_comment": "Your comment is too long: use at most 2000 characters.",
        "switch_label": "Darllenwch y dudalen hon yn Gymraeg",
    },
    Language.CY: {
        "lang_name": "Cymraeg",
        "title": "Pa mor fodlon ydych chi â gwasanaeth yr heddlu?",
        "intro": "Mae'r arolwg hwn yn ymwneud ag ymweliad yr heddlu ar ôl y fyrgleriaeth yn "
        "eich cartref. Nid yw'n gofyn dim amdanoch chi ac mae'n cymryd tua dau funud.",
        "q_overall": "At ei gilydd, pa mor fodlon ydych chi â'r profiad cyfan?",
        "q_ease_of_contact": "Pa mor fodlon ydych chi â pha mor hawdd oedd cysylltu â'r heddlu?",
        "q_actions_taken": "Pa mor fodlon ydych chi â'r hyn a wnaeth yr heddlu?",
        "q_kept_informed": "Pa mor fodlon ydych chi â'r ffordd y cawsoch y wybodaeth ddiweddaraf?",
        "q_treatment": "Pa mor fodlon ydych chi â'r ffordd y cawsoch eich trin?",
        "score_5": "Bodlon iawn",
        "score_4": "Eithaf bodlon",
        "score_3": "Ddim yn fodlon nac yn anfodlon",
        "score_2": "Eithaf anfodlon",
        "score_1": "Anfodlon iawn",
        "optional": "(dewisol)",
        "q_comment": "Oes unrhyw beth arall yr hoffech ei ddweud wrthym? Peidiwch â chynnwys "
        "enwau na manylion cyswllt.",
        "submit": "Anfon fy atebion",
        "thanks_title": "Diolch",
        "thanks": "Rydym wedi cael eich atebion. Maent yn ein helpu i wella'r gwasanaeth i "
        "ddioddefwyr troseddau.",
        "answered_title": "Mae'r arolwg hwn eisoes wedi'i ateb",
        "answered": "Rydym eisoes wedi cael yr atebion ar gyfer yr ymweliad hwn, felly ni "
        "ellir defnyddio'r ddolen eto.",
        "expired_title": "Mae'r ddolen i'r arolwg hwn wedi dod i ben",
        "expired": "Mae dolenni arolwg yn para {days} diwrnod. Os hoffech ddweud wrthym sut "
        "gwnaethon ni o hyd, ffoniwch 101 a nodwch eich cyfeirnod trosedd.",
        "not_found_title": "Nid yw'r ddolen i'r arolwg hwn yn ddilys",
        "not_found": "Gwiriwch y ddolen ar y dudalen a gawsoch. Os nad yw'n gweithio o hyd, "
        "ffoniwch 101.",
        "too_many_title": "Gormod o ymdrechion",
        "too_many": "Arhoswch ychydig funudau a rhowch gynnig arall arni.",
        "error_summary": "Mae problem",
        "error_required": "Dewiswch ateb ar gyfer: {question}",
        "error_invalid": "Dewiswch un o'r atebion a roddwyd ar gyfer: {question}",
        "error_comment": "Mae eich sylw yn rhy hir: defnyddiwch 2000 o nodau ar y mwyaf.",
        "switch_label": "Read this page in English",
    },
}
