// A client process for the concurrency tests (plain JavaScript: no loader to start). Reads its
// requests (JSON on argv: url, method, token, body?), says "ready", and on "go" (stdin) sends them
// all at once, then prints every answer (status, content type, body).
const planned = JSON.parse(process.argv[2]);
process.stdout.write("ready\n");
process.stdin.once("data", async () => {
  const answers = await Promise.all(
    planned.map(async (p) => {
      const headers = { authorization: `Bearer ${p.token}` };
      if (p.body !== undefined) headers["content-type"] = "application/json";
      const res = await fetch(p.url, { method: p.method, headers, body: p.body === undefined ? undefined : JSON.stringify(p.body) });
      return { url: p.url, method: p.method, status: res.status, type: res.headers.get("content-type"), text: await res.text() };
    }),
  );
  process.stdout.write(JSON.stringify(answers));
  process.exit(0);
});
