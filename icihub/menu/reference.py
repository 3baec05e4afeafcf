"""Reference data of the cooperation menu: the areas of cooperation."""

from __future__ import annotations

from icihub.core.reference import Progress, upsert

from .models import Area

AREAS = [
    ("cyber-defence", "Cyber defence", "الدفاع السيبراني"),
    ("energy-security", "Energy security", "أمن الطاقة"),
    (
        "cbrn",
        "CBRN defence and consequence management",
        "الدفاع الكيميائي والبيولوجي والإشعاعي والنووي",
    ),
    ("civil-emergency-planning", "Civil emergency planning", "التخطيط للطوارئ المدنية"),
    ("crisis-management", "Crisis management", "إدارة الأزمات"),
    ("defence-reform", "Defence reform and transformation", "إصلاح الدفاع وتحويله"),
    ("defence-budgeting", "Defence budgeting", "الميزانية الدفاعية"),
    ("civil-military-relations", "Civil-military relations", "العلاقات المدنية العسكرية"),
    ("mil-to-mil", "Military-to-military cooperation", "التعاون العسكري"),
    ("exercises-interoperability", "Exercises and interoperability", "التمارين والعمل المشترك"),
    ("maritime-security", "Maritime security", "الأمن البحري"),
    ("counter-terrorism", "Counter-terrorism", "مكافحة الإرهاب"),
    ("counter-piracy", "Counter-piracy", "مكافحة القرصنة"),
    ("non-proliferation", "Non-proliferation", "منع الانتشار"),
    ("border-security", "Border security", "أمن الحدود"),
    ("intelligence-sharing", "Intelligence sharing", "تبادل المعلومات الاستخبارية"),
    ("strategic-analysis", "Strategic analysis", "التحليل الاستراتيجي"),
    ("public-diplomacy", "Public diplomacy", "الدبلوماسية العامة"),
    ("hybrid-threats", "Hybrid threats and disinformation", "التهديدات الهجينة والتضليل"),
    ("lessons-learned", "Lessons learned", "الدروس المستفادة"),
    ("science-for-peace", "Science for peace and security", "العلم من أجل السلام والأمن"),
    ("disaster-relief", "Disaster preparedness and relief", "التأهب للكوارث والإغاثة"),
]


def load(progress: Progress = print) -> None:
    for position, (code, name, name_ar) in enumerate(AREAS, start=1):
        upsert(Area, {"code": code}, {"name": name, "name_ar": name_ar, "position": position})
    progress(f"  {len(AREAS)} areas of cooperation")
