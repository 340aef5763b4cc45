/** Complexity tiers 0-4 of the protocol, by name. */
export const tierNames = ["trivial", "simple", "moderate", "complex", "expert"] as const;

export function tierName(tier: number): string {
  return tierNames[tier] ?? `tier ${tier}`;
}

export const priorities = ["critical", "high", "normal", "low"] as const;
