from uuid import UUID

from django.shortcuts import get_object_or_404

from alliance.accounts.models import User
from alliance.booking.models import ConsultationRequest


def get_consultation_request_for_user(user: User, request_uuid: UUID) -> ConsultationRequest:
    return get_object_or_404(
        ConsultationRequest.objects.visible_to(user).select_related("therapist"),
        uuid=request_uuid,
    )
