"""Reading each section of a review request (patient, pump, prescriptions, refill, proposal)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from thecal.domain.admixture import Admixture, Component
from thecal.domain.dosing import PrimingMode
from thecal.domain.drug_limits import TitrationPhase
from thecal.domain.errors import UnknownReference
from thecal.domain.library import ReferenceLibrary
from thecal.domain.program import FlexStep, PatientBolusSettings
from thecal.domain.quantity_text import (
    parse_concentration,
    parse_dose_rate,
    parse_duration,
    parse_mass,
    parse_volume,
)
from thecal.domain.safety.context import (
    CatheterState,
    CurrentTherapy,
    DischargeCheck,
    MonitoringPlan,
    MriPlan,
    Prescription,
    PrimingPlan,
    Proposal,
    Proposer,
    PumpState,
    Refill,
    Role,
    TrialDose,
)
from thecal.domain.safety.errors import InconsistentRequest, InvalidValue, UnknownValue
from thecal.domain.safety.patient_facts import (
    Indication,
    OpioidStatus,
    Patient,
    RiskFacts,
    SpasticityOrigin,
    spinal_level_rank,
)
from thecal.domain.safety.request.node import Node, building, fields
from thecal.domain.units import DoseRate

__all__ = [
    "CURRENT",
    "PATIENT",
    "PROPOSAL",
    "PUMP",
    "SectionReader",
]

#: The heaviest patient the format accepts (kg): a typo guard, not a clinical limit.
_MAX_WEIGHT_KG = Decimal(500)
_POSS = ("S", "1", "2", "3", "4")

PRESCRIPTION = fields("admixture", "daily_dose", "steps", "patient_bolus")
COMPONENT = fields("drug", "concentration", "daily_dose")
REFILL = fields(
    "volume",
    "admixture",
    "verified_admixture",
    "verified_by",
    "programmed_admixture",
    "aspiration_confirmed",
    "expected_residual",
    "measured_residual",
    "expected_delivered",
    "next_refill_at",
    "first_fill",
    "rinses",
    "withdrawn_as_read",
    "injected_as_read",
)
RISK = fields(*RiskFacts.flag_names(), "endocrine_checked_on")
PATIENT = fields(
    "age_years",
    "weight_kg",
    "indication",
    "cancer",
    "opioid_status",
    "psychosis_history",
    "spasticity_origin",
    "spinal_cord_injury_level",
    "communication_difficulty",
    "previous_withdrawal",
    "active_infection",
    "bleeding_risk",
    "uncontrolled_bleeding",
    "anticoagulated",
    "anticoagulation_plan",
    "risk_facts",
)
PUMP = fields(
    "model",
    "reservoir",
    "low_reservoir_alarm",
    "catheter",
    "implanted_on",
    "eri_reached_at",
    "end_of_service",
    "next_refill_at",
)
PROPOSAL = fields(
    "prescription",
    "programmed_admixture",
    "refill",
    "trial",
    "mri",
    "priming",
    "monitoring",
    "effective_screening_dose",
)
CURRENT = fields("prescription", "last_dose_change_at", "daily_dose_year_ago", "titration_phase")
TRIAL = fields("drug", "dose", "dosed_at", "discharge_at", "latest_observation")


class SectionReader:
    """Reads the sections of one request against the reference library."""

    def __init__(self, library: ReferenceLibrary) -> None:
        self.library = library

    def drug_id(self, node: Node, key: str) -> str:
        value = node.text(key)
        if value not in self.library.drugs:
            raise UnknownValue(
                where=node.at(key), value=value, known=", ".join(sorted(self.library.drugs))
            )
        return value

    def admixture(self, parent: Node, key: str, *, intended: bool = False) -> Admixture:
        return self._admixture_and_doses(parent, key, intended=intended)[0]

    def _admixture_and_doses(
        self, parent: Node, key: str, *, intended: bool
    ) -> tuple[Admixture, tuple[tuple[str, DoseRate], ...]]:
        components, doses = [], []
        allowed = COMPONENT if intended else fields("drug", "concentration")
        for path, item in parent.items(key):
            node = Node(item, path, allowed)
            drug = self.drug_id(node, "drug")
            components.append(
                Component(
                    drug_id=drug,
                    concentration=node.quantity(
                        "concentration", parse_concentration, positive=True
                    ),
                )
            )
            if node.has("daily_dose"):
                doses.append((drug, node.quantity("daily_dose", parse_dose_rate)))
        with building(parent.at(key)):
            return Admixture(components=tuple(components)), tuple(doses)

    def bolus(self, node: Node) -> PatientBolusSettings:
        with building(node.path):
            return PatientBolusSettings(
                dose=node.quantity("dose", parse_mass, positive=True),
                duration=node.quantity("duration", parse_duration, positive=True),
                lockout=node.quantity("lockout", parse_duration, positive=True),
                max_per_day=node.whole("max_per_day", low=1, high=96),
            )

    def prescription(self, node: Node) -> Prescription:
        admixture, intended = self._admixture_and_doses(node, "admixture", intended=True)
        bolus = None
        if node.has("patient_bolus"):
            bolus = self.bolus(
                node.child("patient_bolus", fields("dose", "duration", "lockout", "max_per_day"))
            )
        if node.has("steps") == node.has("daily_dose"):
            raise InconsistentRequest(
                where=node.path, detail="give exactly one of daily_dose or steps"
            )
        if node.has("daily_dose"):
            dose = node.quantity("daily_dose", parse_dose_rate)
            return Prescription(
                admixture=admixture, daily_dose=dose, patient_bolus=bolus, intended=intended
            )
        steps = []
        for path, item in node.items("steps"):
            step = Node(item, path, fields("start", "rate"))
            steps.append(
                FlexStep(
                    start=step.quantity("start", parse_duration),
                    rate=step.quantity("rate", parse_dose_rate),
                )
            )
        with building(node.at("steps")):
            prescription = Prescription(
                admixture=admixture,
                daily_dose=parse_dose_rate("0 mg/day"),
                steps=tuple(steps),
                patient_bolus=bolus,
            )
            program = prescription.program()
        return Prescription(
            admixture=admixture,
            daily_dose=program.basal_daily_dose,
            steps=tuple(steps),
            patient_bolus=bolus,
            intended=intended,
        )

    def risk(self, node: Node | None) -> RiskFacts:
        if node is None:
            return RiskFacts()
        flags = {name: node.maybe_flag(name) for name in RiskFacts.flag_names()}
        return RiskFacts(**flags, endocrine_checked_on=node.maybe_date("endocrine_checked_on"))

    def patient(self, node: Node) -> Patient:
        level = (
            node.text("spinal_cord_injury_level") if node.has("spinal_cord_injury_level") else None
        )
        if level is not None and spinal_level_rank(level) is None:
            raise InvalidValue(
                where=node.at("spinal_cord_injury_level"),
                detail=f"{level!r} is not a level such as C5, T6 or L1",
            )
        return Patient(
            age_years=node.whole("age_years", low=0, high=130),
            weight_kg=node.number("weight_kg", what="a weight in kg", high=_MAX_WEIGHT_KG)
            if node.has("weight_kg")
            else None,
            indication=node.choice("indication", Indication),
            cancer=node.flag("cancer"),
            opioid_status=node.maybe_choice("opioid_status", OpioidStatus),
            psychosis_history=node.flag("psychosis_history", default=False),
            spasticity_origin=node.maybe_choice("spasticity_origin", SpasticityOrigin),
            spinal_cord_injury_level=level,
            communication_difficulty=node.flag("communication_difficulty", default=False),
            previous_withdrawal=node.flag("previous_withdrawal", default=False),
            active_infection=node.flag("active_infection", default=False),
            bleeding_risk=node.flag("bleeding_risk", default=False),
            uncontrolled_bleeding=node.flag("uncontrolled_bleeding", default=False),
            anticoagulated=node.flag("anticoagulated", default=False),
            anticoagulation_plan=node.flag("anticoagulation_plan", default=False),
            risk=self.risk(node.maybe_child("risk_facts", RISK)),
        )

    def _catheter(self, node: Node) -> CatheterState:
        cat = node.child("catheter", fields("model", "implanted_length_cm", "volume"))
        name = cat.text("model")
        if name not in self.library.catheters:
            raise UnknownValue(
                where=cat.at("model"), value=name, known=", ".join(sorted(self.library.catheters))
            )
        return CatheterState(
            model=name,
            implanted_length_cm=_length(cat),
            volume=cat.maybe_quantity("volume", parse_volume, positive=True),
        )

    def pump(self, node: Node) -> PumpState:
        model = node.text("model")
        try:
            self.library.pump(model)
        except UnknownReference:
            raise UnknownValue(
                where=node.at("model"), value=model, known=", ".join(sorted(self.library.pumps))
            ) from None
        return PumpState(
            model=model,
            reservoir=node.quantity("reservoir", parse_volume),
            low_reservoir_alarm=node.maybe_quantity("low_reservoir_alarm", parse_volume),
            catheter=self._catheter(node) if node.has("catheter") else None,
            implanted_on=node.maybe_date("implanted_on"),
            eri_reached_at=node.maybe_timestamp("eri_reached_at"),
            end_of_service=node.maybe_timestamp("end_of_service"),
            next_refill_at=node.maybe_timestamp("next_refill_at"),
        )

    def refill(self, node: Node) -> Refill:
        verifier = node.maybe_child("verified_by", fields("user_id", "role"))
        return Refill(
            volume=node.quantity("volume", parse_volume, positive=True),
            admixture=self.admixture(node, "admixture"),
            verified_admixture=self.admixture(node, "verified_admixture")
            if node.has("verified_admixture")
            else None,
            programmed_admixture=self.admixture(node, "programmed_admixture")
            if node.has("programmed_admixture")
            else None,
            aspiration_confirmed=node.flag("aspiration_confirmed"),
            expected_residual=node.maybe_quantity("expected_residual", parse_volume),
            measured_residual=node.maybe_quantity("measured_residual", parse_volume),
            expected_delivered=node.maybe_quantity("expected_delivered", parse_volume),
            next_refill_at=node.timestamp("next_refill_at"),
            first_fill=node.flag("first_fill", default=False),
            verified_by=Proposer(
                user_id=verifier.text("user_id"), role=verifier.choice("role", Role)
            )
            if verifier is not None
            else None,
            rinses=node.maybe_whole("rinses", low=0, high=20),
            withdrawn_as_read=node.maybe_quantity("withdrawn_as_read", parse_volume),
            injected_as_read=node.maybe_quantity("injected_as_read", parse_volume),
        )

    def trial(self, node: Node) -> TrialDose:
        latest = node.maybe_child(
            "latest_observation", fields("sedation", "respiratory_rate", "spo2_pct")
        )
        check = None
        if latest is not None:
            sedation = latest.text("sedation") if latest.has("sedation") else None
            if sedation is not None and sedation not in _POSS:
                raise UnknownValue(
                    where=latest.at("sedation"), value=sedation, known=", ".join(_POSS)
                )
            check = DischargeCheck(
                sedation=sedation,
                respiratory_rate=latest.maybe_whole("respiratory_rate", low=0, high=80),
                spo2_pct=latest.maybe_whole("spo2_pct", low=0, high=100),
            )
        return TrialDose(
            drug=self.drug_id(node, "drug"),
            dose=node.quantity("dose", parse_mass, positive=True),
            dosed_at=node.maybe_timestamp("dosed_at"),
            discharge_at=node.maybe_timestamp("discharge_at"),
            latest=check,
        )

    def proposal(self, node: Node) -> Proposal:
        mri = None
        if node.has("mri"):
            m = node.child("mri", fields("planned_at", "pump_emptied"))
            mri = MriPlan(planned_at=m.timestamp("planned_at"), pump_emptied=m.flag("pump_emptied"))
        priming = None
        if node.has("priming"):
            p = node.child("priming", fields("mode", "volume"))
            priming = PrimingPlan(
                mode=p.choice("mode", PrimingMode),
                volume=p.maybe_quantity("volume", parse_volume, positive=True),
            )
        monitoring = None
        if node.has("monitoring"):
            m = node.child("monitoring", fields("respiratory", "naloxone_available"))
            monitoring = MonitoringPlan(
                respiratory=m.maybe_quantity("respiratory", parse_duration, positive=True),
                naloxone_available=m.maybe_flag("naloxone_available"),
            )
        return Proposal(
            prescription=self.prescription(node.child("prescription", PRESCRIPTION))
            if node.has("prescription")
            else None,
            programmed_admixture=self.admixture(node, "programmed_admixture")
            if node.has("programmed_admixture")
            else None,
            refill=self.refill(node.child("refill", REFILL)) if node.has("refill") else None,
            trial=self.trial(node.child("trial", TRIAL)) if node.has("trial") else None,
            mri=mri,
            priming=priming,
            monitoring=monitoring,
            effective_screening_dose=node.maybe_quantity(
                "effective_screening_dose", parse_mass, positive=True
            ),
        )

    def current(self, node: Node) -> CurrentTherapy:
        return CurrentTherapy(
            prescription=self.prescription(node.child("prescription", PRESCRIPTION)),
            last_dose_change_at=node.maybe_timestamp("last_dose_change_at"),
            daily_dose_year_ago=node.maybe_quantity("daily_dose_year_ago", parse_dose_rate),
            titration_phase=node.maybe_choice("titration_phase", TitrationPhase),
        )


def _length(node: Node) -> Decimal:
    text = node.text("implanted_length_cm")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InvalidValue(
            where=node.at("implanted_length_cm"), detail=f"{text!r} is not a number of centimetres"
        ) from None
    if not value.is_finite() or value <= 0:
        raise InvalidValue(where=node.at("implanted_length_cm"), detail="must be a number > 0")
    return value
