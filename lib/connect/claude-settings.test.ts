import { describe, expect, test } from "vitest";
import { addHooks, agentdeskHookGroups, jsonEqual, removeHooks, setMcpServer, unsetMcpServer, type JsonObject } from "./claude-settings";

const groups = agentdeskHookGroups((e) => `node /x/hook.mjs ${e}`);

describe("Claude Code settings edits", () => {
  test("hooks go after the user's own, and come out leaving the rest as it was", () => {
    const mine: JsonObject = {
      permissions: { allow: ["Bash(npm test)"] },
      hooks: { PostToolUse: [{ matcher: "Write|Edit", hooks: [{ type: "command", command: "prettier --write" }] }], PreToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command: "guard" }] }] },
    };
    const { settings, created } = addHooks(mine, groups);
    expect(created).toEqual(["hooks.SessionStart", "hooks.UserPromptSubmit", "hooks.Stop"]);
    const hooks = settings.hooks as Record<string, unknown[]>;
    expect(hooks.PostToolUse).toEqual([(mine.hooks as Record<string, unknown[]>).PostToolUse[0], groups.PostToolUse]);
    expect(hooks.PreToolUse).toEqual((mine.hooks as Record<string, unknown>).PreToolUse);
    expect(hooks.Stop).toEqual([{ hooks: [{ type: "command", command: "node /x/hook.mjs Stop", timeout: 5 }] }]);
    expect(mine.hooks).not.toHaveProperty("Stop"); // the input is not changed
    // Adding twice adds nothing more.
    expect(addHooks(settings, groups).settings).toEqual(settings);
    expect(removeHooks(settings, groups, created)).toEqual(mine);
  });

  test("into an empty settings file, and out to an empty object", () => {
    const { settings, created } = addHooks({}, groups);
    expect(created).toContain("hooks");
    expect(Object.keys(settings.hooks as object)).toEqual(["SessionStart", "PostToolUse", "UserPromptSubmit", "Stop"]);
    expect(removeHooks(settings, groups, created)).toEqual({});
  });

  test("a shape Claude Code would not read either is refused, not overwritten", () => {
    expect(() => addHooks({ hooks: [] as never }, groups)).toThrow(/"hooks" is not an object/);
    expect(() => addHooks({ hooks: { Stop: {} } }, groups)).toThrow(/"hooks.Stop" is not an array/);
  });

  test("the MCP server: set over an earlier one, and the earlier one returns", () => {
    const before: JsonObject = { mcpServers: { other: { command: "x" }, agentdesk: { type: "http", url: "old" } } };
    const edit = setMcpServer(before, "agentdesk", { type: "http", url: "new" });
    expect(edit.previous).toEqual({ type: "http", url: "old" });
    expect((edit.config.mcpServers as JsonObject).agentdesk).toEqual({ type: "http", url: "new" });
    expect(jsonEqual(unsetMcpServer(edit.config, "agentdesk", edit), before)).toBe(true);
    const fresh = setMcpServer({}, "agentdesk", { url: "u" });
    expect(unsetMcpServer(fresh.config, "agentdesk", fresh)).toEqual({});
  });
});
