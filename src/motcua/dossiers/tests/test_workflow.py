from __future__ import annotations

import pytest

from motcua.dossiers.workflow import (
    DEFAULT_NATIONAL_CODES,
    TRANSITIONS,
    Action,
    Actor,
    DossierStatus,
    TransitionNotAllowed,
    allowed_actions,
    can_transition,
    transition_for,
)


def test_every_state_has_a_national_status_code() -> None:
    assert set(DEFAULT_NATIONAL_CODES) == set(DossierStatus.values)


def test_national_codes_follow_dvcqg_for_key_states() -> None:
    assert DEFAULT_NATIONAL_CODES[DossierStatus.SUBMITTED] == 1
    assert DEFAULT_NATIONAL_CODES[DossierStatus.RECEIVED] == 2
    assert DEFAULT_NATIONAL_CODES[DossierStatus.REFUSED_AT_INTAKE] == 3
    assert DEFAULT_NATIONAL_CODES[DossierStatus.AWAITING_SUPPLEMENT] == 5
    assert DEFAULT_NATIONAL_CODES[DossierStatus.ISSUED] == 9
    assert DEFAULT_NATIONAL_CODES[DossierStatus.RETURNED] == 10


def test_only_a_one_stop_clerk_receives_a_submitted_dossier() -> None:
    assert can_transition(Action.RECEIVE, DossierStatus.SUBMITTED, Actor.ONE_STOP_CLERK)
    assert not can_transition(Action.RECEIVE, DossierStatus.SUBMITTED, Actor.SPECIALIST)
    assert not can_transition(Action.RECEIVE, DossierStatus.SUBMITTED, Actor.APPLICANT)


def test_a_returned_dossier_cannot_be_withdrawn() -> None:
    with pytest.raises(TransitionNotAllowed):
        transition_for(Action.WITHDRAW, DossierStatus.RETURNED, Actor.APPLICANT)


def test_supplement_request_pauses_and_supply_resumes_the_clock() -> None:
    pause = transition_for(Action.REQUEST_SUPPLEMENT, DossierStatus.PROCESSING, Actor.SPECIALIST)
    resume = transition_for(Action.SUPPLY, DossierStatus.AWAITING_SUPPLEMENT, Actor.APPLICANT)
    assert pause.pauses_clock
    assert pause.target == DossierStatus.AWAITING_SUPPLEMENT
    assert resume.resumes_clock
    assert resume.target == DossierStatus.PROCESSING


def test_leader_actions_on_a_dossier_pending_approval() -> None:
    assert set(allowed_actions(DossierStatus.PENDING_APPROVAL, Actor.LEADER)) == {
        Action.SEND_BACK,
        Action.APPROVE,
        Action.STOP,
    }


def test_happy_path_reaches_returned() -> None:
    path = [
        (Action.SUBMIT, Actor.APPLICANT),
        (Action.RECEIVE, Actor.ONE_STOP_CLERK),
        (Action.START_PROCESSING, Actor.SYSTEM),
        (Action.SUBMIT_FOR_APPROVAL, Actor.SPECIALIST),
        (Action.APPROVE, Actor.LEADER),
        (Action.ISSUE, Actor.CLERICAL_OFFICER),
        (Action.RETURN_RESULT, Actor.ONE_STOP_CLERK),
    ]
    status: str = DossierStatus.DRAFT
    for action, actor in path:
        status = transition_for(action, status, actor).target
    assert status == DossierStatus.RETURNED


def test_each_action_and_source_pair_is_defined_once() -> None:
    pairs = [(t.action, s) for t in TRANSITIONS for s in t.sources]
    assert len(pairs) == len(set(pairs))


def test_every_transition_is_named_in_the_one_timeline_enumeration() -> None:
    from motcua.dossiers.workflow import TimelineAction

    assert {t.action for t in TRANSITIONS} <= set(TimelineAction.values)
    # The events that change no state are members too, and none of them is a transition.
    stateless = {"claim", "assign", "step_complete", "consult", "apologise", "rate"}
    assert stateless <= set(TimelineAction.values)
    assert not stateless & {t.action for t in TRANSITIONS}


def test_an_event_outside_the_enumeration_is_refused_before_it_is_written() -> None:
    from motcua.dossiers.events import dossier_event_build
    from motcua.dossiers.models import Dossier

    with pytest.raises(ValueError, match="approuve"):
        dossier_event_build(
            dossier=Dossier(),
            action="approuve",
            actor=None,
            actor_role="leader",
            actor_agency=None,
            from_status="pending_approval",
            to_status="approved",
        )
