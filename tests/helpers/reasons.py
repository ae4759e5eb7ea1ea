"""A file's or sheet's reason as the load report gives it: both languages, then each."""


def reason(zh: str, en: str) -> dict[str, str]:
    return {"reason": f"{zh} {en}", "reason_zh": zh, "reason_en": en}
