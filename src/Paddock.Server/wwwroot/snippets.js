// The API tab: the current form as code. Each snippet sends exactly the body the Run button sends,
// to this server's real base URL, with the key read from $OXEN_API_KEY (never the key itself): the variable of the
// original API page's examples and of the README, so one `export` serves them all.

export const KEY_VARIABLE = "OXEN_API_KEY";

const json = (value) => JSON.stringify(value, null, 2);
const shellQuote = (text) => `'${text.replaceAll("'", `'\\''`)}'`;
const indent = (text, spaces) => text.replaceAll("\n", `\n${" ".repeat(spaces)}`);

/**
 * @param {object} request
 * @param {string} request.baseUrl  e.g. http://127.0.0.1:8080
 * @param {string} request.model
 * @param {object} request.values   the model's fields, in form order
 * @param {number} request.count    num_generations (1–4)
 * @returns {{id: string, label: string, language: string, code: string}[]}
 */
export function snippets({ baseUrl, model, values, count }) {
  const body = { model, ...values };
  const queued = count > 1 ? { ...body, num_generations: count } : body;
  return [
    { id: "curl-sync", label: "cURL · sync", language: "bash", code: (count > 1 ? `# A sync request makes one video; the queue snippets make all ${count} takes.\n` : "") + curlSync(baseUrl, body) },
    { id: "curl-poll", label: "cURL · async", language: "bash", code: curlPoll(baseUrl, queued) },
    { id: "curl-sse", label: "cURL · SSE", language: "bash", code: curlSse(baseUrl, queued) },
    { id: "python", label: "Python", language: "python", code: python(baseUrl, queued) },
    { id: "csharp", label: "C#", language: "csharp", code: csharp(baseUrl, model, values, count) },
    { id: "javascript", label: "JavaScript", language: "javascript", code: javascript(baseUrl, queued) },
    // The same request through the OpenAI Videos API face (/v1, docs/openai.md), with the official OpenAI SDKs.
    { id: "openai-python", label: "OpenAI SDK · Python", language: "python", code: openaiPython(baseUrl, openaiRequest(model, values, count)) },
    { id: "openai-csharp", label: "OpenAI SDK · C#", language: "csharp", code: openaiCsharp(baseUrl, openaiRequest(model, values, count)) },
    { id: "openai-javascript", label: "OpenAI SDK · JavaScript", language: "javascript", code: openaiJavascript(baseUrl, openaiRequest(model, values, count)) },
  ];
}

function curlSync(base, body) {
  return `curl -X POST ${base}/api/ai/videos/generate \\
  -H "Content-Type: application/json" \\
  -H "Authorization: Bearer $${KEY_VARIABLE}" \\
  -d ${shellQuote(json(body))}`;
}

// One take reads as the original page's examples; several capture every id (one per line).
const takes = (body) => body.num_generations ?? 1;

const enqueue = (base, body) => `# Enqueue, capture the generation id${takes(body) > 1 ? "s" : ""}.
${takes(body) > 1 ? "GEN_IDS" : "GEN_ID"}=$( curl -s -X POST ${base}/api/ai/queue \\
  -H "Content-Type: application/json" \\
  -H "Authorization: Bearer $${KEY_VARIABLE}" \\
  -d ${shellQuote(json(body))} | jq -r '.generations[${takes(body) > 1 ? "" : "0"}].generation_id' )`;

function curlPoll(base, body) {
  const loop = `# Poll until the generation reaches a terminal status.
while true ; do
  STATUS=$( curl -s -H "Authorization: Bearer $${KEY_VARIABLE}" \\
    "${base}/api/ai/queue/$GEN_ID" | jq -r '.status' )
  echo "Status: $STATUS"
  case $STATUS in succeeded | failed | cancelled ) break ;; esac
  sleep 5
done
# Print the result.
curl -s -H "Authorization: Bearer $${KEY_VARIABLE}" \\
  "${base}/api/ai/queue/$GEN_ID" | jq .`;
  if (takes(body) === 1) return `${enqueue(base, body)}\n${loop}`;
  return `${enqueue(base, body)}
# Follow each take in turn.
for GEN_ID in $GEN_IDS ; do
  ${indent(loop, 2)}
done`;
}

function curlSse(base, body) {
  return `${enqueue(base, body)}
# Stream the SSE channel, grab the data line that follows a
# media_generation_completed event for each of our ids, and pretty-print it.
# (Needs GNU awk: Debian's mawk buffers its input; use gawk or mawk -W interactive.)
curl -sN -H "Authorization: Bearer $${KEY_VARIABLE}" ${base}/api/events \\
| awk -v ids="${takes(body) > 1 ? "$(echo $GEN_IDS)" : "$GEN_ID"}" '
BEGIN { left = split(ids, list, " "); for (i = 1; i <= left; i++) want[list[i]] = 1 }
/^event: media_generation_completed$/ { expect=1; next }
/^data: / && expect {
  payload = substr($0, 7)
  for (id in want) if (index(payload, "\\"generation_id\\":\\"" id "\\"")) { print payload; delete want[id]; if (--left == 0) exit }
  expect = 0
}
' | jq .`;
}

/** A Python literal of a JSON value (JSON strings are valid Python strings; true/false/null are not). */
function pythonLiteral(value, depth = 0) {
  const pad = "    ".repeat(depth + 1);
  const end = "    ".repeat(depth);
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((v) => pad + pythonLiteral(v, depth + 1)).join(",\n")},\n${end}]`;
  }
  if (typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 0) return "{}";
    return `{\n${entries.map(([k, v]) => `${pad}${JSON.stringify(k)}: ${pythonLiteral(v, depth + 1)}`).join(",\n")},\n${end}}`;
  }
  return JSON.stringify(value);
}

function python(base, body) {
  return `import os
import time

import requests

BASE_URL = ${JSON.stringify(base)}
HEADERS = {"Authorization": f"Bearer {os.environ['${KEY_VARIABLE}']}"}

payload = ${pythonLiteral(body)}

# Enqueue, then poll each generation until it reaches a terminal status.
response = requests.post(f"{BASE_URL}/api/ai/queue", headers=HEADERS, json=payload)
if not response.ok:
    raise SystemExit(response.json()["error"]["detail"])
generation_ids = [g["generation_id"] for g in response.json()["generations"]]

failed = False
for generation_id in generation_ids:
    while True:
        row = requests.get(f"{BASE_URL}/api/ai/queue/{generation_id}", headers=HEADERS).json()
        print("Status:", row["status"])
        if row["status"] in ("succeeded", "failed", "cancelled"):
            break
        time.sleep(2)
    if row["status"] == "succeeded":
        print(row["result_url"])
    else:
        print(f"{generation_id}: {row['error_message'] or row['status']}")
        failed = True
raise SystemExit(1 if failed else 0)`;
}

/** A C# JsonNode initializer of a JSON value (JSON strings are valid C# string literals). */
function csharpNode(value, depth) {
  const pad = "    ".repeat(depth + 1);
  const end = "    ".repeat(depth);
  if (Array.isArray(value)) return `new JsonArray(${value.map((v) => csharpNode(v, depth)).join(", ")})`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).map(([k, v]) => `${pad}[${JSON.stringify(k)}] = ${csharpNode(v, depth + 1)},`);
    return `new JsonObject\n${end}{\n${entries.join("\n")}\n${end}}`;
  }
  return value === null || value === undefined ? "null" : JSON.stringify(value);
}

// Fields of happyhorse-1.0-r2v that Paddock.Client's typed request names as properties.
const R2V_PROPERTIES = { reference_images: "ReferenceImages", aspect_ratio: "AspectRatio", resolution: "Resolution", duration: "Duration", seed: "Seed" };

function csharpRequest(model, values, count) {
  const extra = count > 1 ? [`    NumGenerations = ${count},`] : [];
  const typed = model === "happyhorse-1.0-r2v" && typeof values.prompt === "string" && Object.keys(values).every((k) => k === "prompt" || k in R2V_PROPERTIES);
  if (typed) {
    const lines = Object.entries(values)
      .filter(([k]) => k !== "prompt")
      .map(([k, v]) => (Array.isArray(v) ? `    ${R2V_PROPERTIES[k]} = { ${v.map((x) => JSON.stringify(x)).join(", ")} },` : `    ${R2V_PROPERTIES[k]} = ${JSON.stringify(v)},`));
    const all = [...lines, ...extra];
    return `var request = new HappyHorseR2VRequest(${JSON.stringify(values.prompt)})${all.length ? `\n{\n${all.join("\n")}\n}` : ""};`;
  }
  return `var request = new GenerationRequest(${JSON.stringify(model)}, ${csharpNode(values, 0)})${extra.length ? `\n{\n${extra.join("\n")}\n}` : ""};`;
}

function csharp(base, model, values, count) {
  const typed = model === "happyhorse-1.0-r2v";
  return `// The SDK in this repository: dotnet add reference src/Paddock.Client
${typed ? "" : "using System.Text.Json.Nodes;\n"}using Paddock.Client;

var client = new PaddockClient(new Uri(${JSON.stringify(base)}),
    Environment.GetEnvironmentVariable("${KEY_VARIABLE}")!);

${csharpRequest(model, values, count)}

// Enqueue, then follow the event stream (polling when it is unavailable) until each video exists.
// A failed or cancelled generation throws PaddockException.
foreach (var operation in await client.EnqueueAsync(request))
{
    var generation = await operation.WaitForCompletionAsync(
        new Progress<GenerationProgress>(p => Console.WriteLine($"{p.Status} {p.Phase} {p.Percent}%")));
    Console.WriteLine($"{generation.Status}: {generation.ResultUrl}");
}`;
}

function javascript(base, body) {
  return `// Node 18 or later: save as generate.mjs and run: node generate.mjs
const BASE_URL = ${JSON.stringify(base)};
const headers = {
  "Content-Type": "application/json",
  Authorization: \`Bearer \${process.env.${KEY_VARIABLE}}\`,
};

// Enqueue, then poll each generation until it reaches a terminal status.
const response = await fetch(\`\${BASE_URL}/api/ai/queue\`, {
  method: "POST",
  headers,
  body: JSON.stringify(${indent(json(body), 2)}),
});
if (!response.ok) throw new Error((await response.json()).error.detail);
const { generations } = await response.json();

for (const { generation_id: id } of generations) {
  let row;
  do {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    row = await (await fetch(\`\${BASE_URL}/api/ai/queue/\${id}\`, { headers })).json();
    console.log("Status:", row.status);
  } while (row.status === "queued" || row.status === "processing");
  console.log(row.result_url ?? row.error_message);
}`;
}


// ---- the OpenAI face: size and seconds instead of aspect_ratio, resolution and duration (the table of docs/openai.md) ----

const SIZES = {
  "16:9": { "720P": "1280x720", "1080P": "1920x1080" },
  "9:16": { "720P": "720x1280", "1080P": "1080x1920" },
  "1:1": { "720P": "720x720", "1080P": "1080x1080" },
  "4:3": { "720P": "960x720", "1080P": "1440x1080" },
  "3:4": { "720P": "720x960", "1080P": "1080x1440" },
};

/** The form as the other API's create body, and what that API cannot say (shown as comments in the snippet). */
function openaiRequest(model, values, count) {
  const resolution = values.resolution ?? "1080P";
  // An image-to-video model keeps its image's shape: size only picks the resolution tier there.
  const size = SIZES[values.aspect_ratio ?? "16:9"]?.[resolution] ?? SIZES["16:9"]["1080P"];
  const body = { model, prompt: values.prompt ?? "", size, seconds: String(values.duration ?? 5) };
  const images = values.input_image ? [values.input_image] : values.reference_images ?? [];
  if (images.length > 0) body.input_reference = { image_url: images[0] };
  const notes = [];
  if (images.length > 1) notes.push(`input_reference takes one image; Paddock's own API takes all ${images.length} (reference_images)`);
  if (values.seed !== undefined && values.seed !== null) notes.push(`seed ${values.seed} has no field in the OpenAI API: the server picks one (a remix keeps it)`);
  if (count > 1) notes.push(`one create makes one video: call it ${count} times for ${count} takes`);
  return { body, notes };
}

const notesAs = (notes, comment) => notes.map((n) => `${comment} Note: ${n}.\n`).join("");

function openaiPython(base, { body, notes }) {
  const args = Object.entries(body).map(([k, v]) => `    ${k}=${pythonLiteral(v, 1)},`).join("\n");
  return `# pip install openai
${notesAs(notes, "#")}import os
import time

from openai import OpenAI

client = OpenAI(base_url=${JSON.stringify(`${base}/v1`)}, api_key=os.environ["${KEY_VARIABLE}"])

video = client.videos.create(
${args}
)
while video.status in ("queued", "in_progress"):
    time.sleep(2)
    video = client.videos.retrieve(video.id)
    print("Status:", video.status, video.progress)
if video.status == "failed":
    raise SystemExit(video.error.message)
client.videos.download_content(video.id, variant="video").write_to_file("video.mp4")
print("video.mp4")`;
}

function openaiCsharp(base, { body, notes }) {
  const fields = Object.entries(body).map(([k, v]) =>
    k === "input_reference" ? `    input_reference = new { image_url = ${JSON.stringify(v.image_url)} },` : `    ${k} = ${JSON.stringify(v)},`).join("\n");
  return `// dotnet add package OpenAI   (its VideoClient is marked experimental: OPENAI001)
${notesAs(notes, "//")}#pragma warning disable OPENAI001
using System.ClientModel;
using System.Text.Json;
using OpenAI.Videos;

var client = new VideoClient(new ApiKeyCredential(Environment.GetEnvironmentVariable("${KEY_VARIABLE}")!),
    new VideoClientOptions { Endpoint = new Uri(${JSON.stringify(`${base}/v1`)}) });

var body = BinaryData.FromObjectAsJson(new
{
${fields}
});
var video = JsonDocument.Parse((await client.CreateVideoAsync(BinaryContent.Create(body), "application/json")).GetRawResponse().Content).RootElement;
var id = video.GetProperty("id").GetString()!;
while (video.GetProperty("status").GetString() is "queued" or "in_progress")
{
    await Task.Delay(2000);
    video = JsonDocument.Parse((await client.GetVideoAsync(id)).GetRawResponse().Content).RootElement;
    Console.WriteLine($"Status: {video.GetProperty("status")} {video.GetProperty("progress")}");
}
if (video.GetProperty("status").GetString() == "failed")
    throw new InvalidOperationException(video.GetProperty("error").GetProperty("message").GetString());
var content = await client.DownloadVideoAsync(id, "video");
await File.WriteAllBytesAsync("video.mp4", content.GetRawResponse().Content.ToArray());
Console.WriteLine("video.mp4");`;
}

function openaiJavascript(base, { body, notes }) {
  return `// npm install openai; save as generate.mjs and run: node generate.mjs
${notesAs(notes, "//")}import { writeFile } from "node:fs/promises";
import OpenAI from "openai";

const client = new OpenAI({ baseURL: ${JSON.stringify(`${base}/v1`)}, apiKey: process.env.${KEY_VARIABLE} });

let video = await client.videos.create(${indent(json(body), 0)});
while (video.status === "queued" || video.status === "in_progress") {
  await new Promise((resolve) => setTimeout(resolve, 2000));
  video = await client.videos.retrieve(video.id);
  console.log("Status:", video.status, video.progress);
}
if (video.status === "failed") throw new Error(video.error?.message);
const content = await client.videos.downloadContent(video.id, { variant: "video" });
await writeFile("video.mp4", Buffer.from(await content.arrayBuffer()));
console.log("video.mp4");`;
}
