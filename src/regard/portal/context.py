"""What every customer-facing page shows: the company's name."""

from django.conf import settings


def company(request) -> dict:
    return {"company_name": settings.COMPANY_NAME}
