"use client";
import * as React from "react";

/**
 * True from the first time `open` is true on: mount an overlay loaded with `next/dynamic` only then,
 * so that its code is fetched when it is first opened, and keep it mounted (its closing animation,
 * its state) afterwards. `{useOpenedOnce(open) && <Sheet open={open} … />}`
 */
export function useOpenedOnce(open: boolean): boolean {
  const [opened, setOpened] = React.useState(open);
  if (open && !opened) setOpened(true);
  return opened || open;
}
