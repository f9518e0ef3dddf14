// The official OpenAI SDK for JavaScript against a running Paddock, unchanged but for base URL and key (taken from
// OPENAI_BASE_URL and OPENAI_API_KEY, as the SDK itself reads them). Prints one JSON line per step for the C# test.
//   node videos.cjs flow OUT.mp4     create, poll, list, download, delete
//   node videos.cjs errors           each documented error, as the SDK raises it
const OpenAI = require("openai");
const fs = require("fs");

const client = new OpenAI();
const say = (step, value) => console.log(JSON.stringify({ step, ...value }));

async function flow(out) {
  let video = await client.videos.create({
    model: process.env.PADDOCK_MODEL,
    prompt: "A fox runs through a snowy forest, pan left",
    size: "1280x720",
    seconds: "4",
  });
  say("created", { video });
  while (video.status === "queued" || video.status === "in_progress") {
    await new Promise((r) => setTimeout(r, 500));
    video = await client.videos.retrieve(video.id);
  }
  say("finished", { video });
  const listed = [];
  for await (const v of client.videos.list({ limit: 1 })) listed.push(v.id);
  say("listed", { ids: listed });
  const content = await client.videos.downloadContent(video.id, { variant: "video" });
  fs.writeFileSync(out, Buffer.from(await content.arrayBuffer()));
  say("downloaded", { contentType: content.headers.get("content-type") });
  const thumbnail = await client.videos.downloadContent(video.id, { variant: "thumbnail" });
  say("thumbnail", { contentType: thumbnail.headers.get("content-type"), bytes: (await thumbnail.arrayBuffer()).byteLength });
  const deleted = await client.videos.delete(video.id);
  say("deleted", { deleted });
  try {
    await client.videos.retrieve(video.id);
    say("after_delete", { status: 200 });
  } catch (e) {
    say("after_delete", { status: e.status, error: e.error });
  }
}

async function errors() {
  const attempts = {
    bad_size: () => client.videos.create({ model: process.env.PADDOCK_MODEL, prompt: "a fox", size: "1792x1024" }),
    bad_seconds: () => client.videos.create({ model: process.env.PADDOCK_MODEL, prompt: "a fox", seconds: "20" }),
    unknown_model: () => client.videos.create({ model: "sora-2", prompt: "a fox" }),
    unknown_id: () => client.videos.retrieve("video_does_not_exist"),
    wrong_key: () => new OpenAI({ apiKey: "pdk_not_a_key" }).videos.list(),
  };
  for (const [name, attempt] of Object.entries(attempts)) {
    try {
      await attempt();
      say(name, { status: 200 });
    } catch (e) {
      say(name, { status: e.status, error: e.error, kind: e.constructor.name });
    }
  }
}

const [mode, out] = process.argv.slice(2);
(mode === "flow" ? flow(out) : errors()).catch((e) => {
  console.error(e);
  process.exit(1);
});
