"""The text of each outbox message, in Indonesian and English, rendered for one recipient."""

from __future__ import annotations

from dataclasses import dataclass

from babel.dates import format_date

from application.outbox import Address, Directory, Mail, Pending, as_date

# kind -> language -> (subject, body); placeholders are filled from the row's params and the recipient.
TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "review_requested": {
        "id": ("Permintaan umpan balik 360 untuk {reviewee} ({period})",
               "Yth. {name},\n\nAnda diminta memberi umpan balik 360 untuk {reviewee} periode {period}. "
               "Putaran ditutup pada {closes_on}.\n\nIsi formulir: {link}/reviews/{round_id}\n"),
        "en": ("360 feedback requested for {reviewee} ({period})",
               "Dear {name},\n\nYou are asked to give 360 feedback to {reviewee} for {period}. "
               "The round closes on {closes_on}.\n\nOpen the form: {link}/reviews/{round_id}\n"),
    },
    "review_reminder": {
        "id": ("Pengingat: umpan balik 360 untuk {reviewee} ({period})",
               "Yth. {name},\n\nUmpan balik Anda untuk {reviewee} periode {period} belum kami terima. "
               "Putaran ditutup pada {closes_on}.\n\nIsi formulir: {link}/reviews/{round_id}\n"),
        "en": ("Reminder: 360 feedback for {reviewee} ({period})",
               "Dear {name},\n\nWe have not yet received your feedback for {reviewee} for {period}. "
               "The round closes on {closes_on}.\n\nOpen the form: {link}/reviews/{round_id}\n"),
    },
    "nomination_awaiting_approval": {
        "id": ("Usulan penilai 360 menunggu persetujuan: {reviewee} ({period})",
               "Yth. {name},\n\nAda usulan penilai untuk putaran 360 {reviewee} periode {period} yang menunggu "
               "persetujuan Anda.\n\nBuka putaran: {link}/rounds/{round_id}\n"),
        "en": ("360 reviewers awaiting your approval: {reviewee} ({period})",
               "Dear {name},\n\nReviewers proposed for the 360 round of {reviewee} for {period} await your "
               "approval.\n\nOpen the round: {link}/rounds/{round_id}\n"),
    },
    "objection_filed": {
        "id": ("Keberatan atas penilaian kinerja {employee} ({period})",
               "Yth. {name},\n\n{employee} mengajukan keberatan atas hasil penilaian kinerja periode {period}; "
               "Anda yang memutuskannya.\n\nBuka penilaian: {link}/appraisals/{appraisal_id}\n"),
        "en": ("Objection to the appraisal of {employee} ({period})",
               "Dear {name},\n\n{employee} objected to the appraisal result for {period}; you decide it.\n\n"
               "Open the appraisal: {link}/appraisals/{appraisal_id}\n"),
    },
    "objection_decided": {
        "id": ("Keberatan Anda telah diputus ({period})",
               "Yth. {name},\n\nKeberatan Anda atas penilaian kinerja periode {period} telah diputus: {outcome}.\n\n"
               "Buka penilaian: {link}/appraisals/{appraisal_id}\n"),
        "en": ("Your objection has been decided ({period})",
               "Dear {name},\n\nYour objection to the appraisal for {period} has been decided: {outcome}.\n\n"
               "Open the appraisal: {link}/appraisals/{appraisal_id}\n"),
    },
    "grievance_filed": {
        "id": ("Pengaduan baru dari {grievant}",
               "{grievant} mengajukan pengaduan ({subject}). Tunjuk pemeriksa: {link}/grievances/{grievance_id}\n"),
        "en": ("New grievance from {grievant}",
               "{grievant} filed a grievance ({subject}). Assign an investigator: {link}/grievances/{grievance_id}\n"),
    },
    "grievance_received": {
        "id": ("Pengaduan Anda telah diterima",
               "Yth. {name},\n\nPengaduan Anda ({subject}) telah dicatat.\n\n"
               "Ikuti statusnya: {link}/grievances/{grievance_id}\n"),
        "en": ("Your grievance was received",
               "Dear {name},\n\nYour grievance ({subject}) has been recorded.\n\n"
               "Follow its status: {link}/grievances/{grievance_id}\n"),
    },
    "grievance_assigned": {
        "id": ("Pengaduan {grievant} diperiksa oleh {investigator}",
               "Pengaduan {grievant} ({subject}) kini diperiksa oleh {investigator}.\n\n"
               "{link}/grievances/{grievance_id}\n"),
        "en": ("The grievance of {grievant} is investigated by {investigator}",
               "The grievance of {grievant} ({subject}) is now investigated by {investigator}.\n\n"
               "{link}/grievances/{grievance_id}\n"),
    },
    "grievance_concluded": {
        "id": ("Pengaduan {grievant} telah disimpulkan: {outcome}",
               "Pemeriksaan pengaduan {grievant} ({subject}) selesai dengan hasil: {outcome}.\n\n"
               "{link}/grievances/{grievance_id}\n"),
        "en": ("The grievance of {grievant} was concluded: {outcome}",
               "The investigation of the grievance of {grievant} ({subject}) concluded: {outcome}.\n\n"
               "{link}/grievances/{grievance_id}\n"),
    },
}

WORDS: dict[str, dict[str, str]] = {
    "id": {"upheld": "dikabulkan", "rejected": "ditolak", "dismissed": "tidak dikabulkan",
           "promotion_decision": "keputusan kenaikan pangkat", "appraisal": "penilaian kinerja"},
    "en": {"upheld": "upheld", "rejected": "rejected", "dismissed": "dismissed",
           "promotion_decision": "promotion decision", "appraisal": "appraisal"},
}


@dataclass(frozen=True)
class Renderer:
    """Renders an outbox row for its recipient, linking to the pages at ``base_url``."""

    base_url: str
    domain: str = "jejak.local"

    def __call__(self, row: Pending, address: Address, directory: Directory) -> Mail:
        """Subject and body in the recipient's language; a stable Message-ID per row lets servers drop a repeat."""
        language = address.language if address.language in TEXTS[row.kind] else "id"
        subject, body = TEXTS[row.kind][language]
        words = WORDS[language]
        values = {**row.params, "name": address.name, "link": self.base_url.rstrip("/")}
        for key in ("reviewee_id", "employee_id", "grievant_id"):
            if key in row.params:
                values[key.removesuffix("_id")] = directory.name(row.params[key])
        if "closes_on" in row.params:
            values["closes_on"] = format_date(as_date(row.params["closes_on"]), "long", locale=language)
        for key in ("outcome", "subject"):
            if key in row.params:
                values[key] = words.get(row.params[key], row.params[key])
        assert address.email is not None
        return Mail(address.email, subject.format(**values), body.format(**values),
                    f"<outbox-{row.id}-{row.position}@{self.domain}>")
