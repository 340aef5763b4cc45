import { complexityTiers, priorities } from "@/lib/domain/vocabulary";

/** Complexity tiers 0-4 of the protocol, by name. */
export const tierNames = complexityTiers;

export function tierName(tier: number): string {
  return tierNames[tier] ?? `tier ${tier}`;
}

export { priorities };
