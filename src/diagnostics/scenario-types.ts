// The runbook's scenarios as the report names them. Pure types, no imports.

/** The runbook's scenarios (Resolution section). */
export const SCENARIO_NUMBERS = [1, 2, 3, 4, 5, 6, 7] as const;
export type ScenarioNumber = (typeof SCENARIO_NUMBERS)[number];

/** A strong finding of warning or critical severity makes its scenario `likely`; weak ones `possible`. */
export type Strength = 'strong' | 'weak';

export type Likelihood = 'likely' | 'possible' | 'ruled_out';

/** One runbook scenario as the evidence rates it. Part of the report contract. */
export interface ScenarioAssessment {
  scenario: ScenarioNumber;
  name: string;
  likelihood: Likelihood;
  /** Ids of the findings that point to this scenario. */
  evidence: string[];
  /** Set when a check this scenario depends on did not run, so it could not be ruled out. */
  unchecked?: string[];
  /** The runbook's fix, with the environment's namespace filled in (set by the engine). */
  fix?: string[];
}
