#!/usr/bin/env bash
# Renders a dozen prompts with the built-in engine (`paddock render`, no server) and writes small
# contact sheets (five frames of each clip) and a README to docs/gallery/.
#   scripts/gallery.sh            # everything, about a minute on two cores
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-tools.sh ffmpeg:ffmpeg ffprobe:ffmpeg

echo "gallery: building the paddock command..."
dotnet build src/Paddock.Cli -c Release -nologo -v quiet >/dev/null
paddock=(dotnet src/Paddock.Cli/bin/Release/net10.0/paddock.dll)
out=docs/gallery
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -f "$out"/*.jpg
mkdir -p "$out"

# The cast: characters on plain backdrops (cut out), a landscape (a set) and a portrait on a busy
# background (framed as a print).
subjects=(fox robot owl cat astronaut landscape portrait)
for subject in "${subjects[@]}"; do
  "${paddock[@]}" render --sample-image "$work/$subject.png" --subject "$subject" >/dev/null 2>&1
done
inputs=(); for subject in "${subjects[@]}"; do inputs+=(-i "$work/$subject.png"); done
ffmpeg -v error "${inputs[@]}" -filter_complex \
  "$(for i in "${!subjects[@]}"; do printf '[%d]scale=-2:120,pad=iw+8:ih:4:0:white[s%d];' "$i" "$i"; done)$(for i in "${!subjects[@]}"; do printf '[s%d]' "$i"; done)hstack=inputs=${#subjects[@]}" \
  -q:v 5 -y "$out/cast.jpg"

# name | references (cast names, in order; none: the renderer draws stand-ins) | aspect | seed | prompt
clips=(
  "no-references||16:9|42|Image 1 walks through a beautiful garden, cinematic lighting."
  "fox-snow||16:9|1|A fox runs through a snowy forest."
  "dog-and-ball||16:9|3|A dog chases a ball across the park. Then a girl waves, slow zoom out."
  "garden-walk|fox|16:9|42|Image 1 walks through a beautiful garden, cinematic lighting."
  "forest-fireflies|owl|16:9|7|Image 1 floats through the forest at night with fireflies, slow push in."
  "beach-sunset|robot|16:9|3|Image 1 dances on the beach at sunset, orbit."
  "city-rain|cat|16:9|11|Image 1 runs across the city street at night in heavy rain, neon, tracking shot."
  "snow-jump|fox|16:9|5|Image 1 jumps in the snow as snow falls. Then Image 1 spins, zoom in."
  "desert-pan|robot|16:9|9|Image 1 walks across the desert at golden hour, pan left."
  "space-float|astronaut|16:9|21|Image 1 floats in outer space with sparkles, slow zoom out."
  "mountains-fly|owl|16:9|13|Image 1 flies over the mountains at sunrise, crane shot."
  "three-shots|fox,robot,cat|16:9|8|Image 1 waves in the garden. Image 2 bounces on the beach. Image 3 looks around in the city, handheld."
  "noir-studio|cat,fox|1:1|4|Image 1 and Image 2 dance in the studio, black and white, dramatic lighting, static shot."
  "set-and-print|robot,landscape,portrait|16:9|6|Image 1 walks through Image 2 with falling leaves, then Image 3 turns around in a cozy room."
  "ocean-portrait|cat|9:16|17|Image 1 approaches on the ocean at dawn with bubbles, then Image 1 leaves, foggy."
)

{
  echo "# Gallery: what the built-in renderer makes"
  echo
  echo "Made by \`scripts/gallery.sh\` with \`paddock render\` (the built-in engine, no server, no GPU): each"
  echo "prompt rendered at 720P for 4 seconds, and five of its 96 frames (1, 2, 3, 4 and 5 sixths of the way"
  echo "through) in a row. The renderer is a deterministic motion-graphics director, not a neural network:"
  echo "the same request and seed give the same video, byte for byte."
  echo
  echo "The cast: the sample references \`paddock render --sample-image FILE --subject NAME\` draws"
  echo "($(IFS=,; echo "${subjects[*]}" | sed "s/,/, /g")). The characters on plain backdrops are cut out and act; the"
  echo "landscape is used whole as a set; the portrait, whose background is busy, is framed as a print."
  echo "The first three prompts have no references: their subjects are stand-in figures the renderer draws."
  echo
  echo "![the cast](cast.jpg)"
  echo
} > "$out/README.md"

for clip in "${clips[@]}"; do
  IFS='|' read -r name cast aspect seed prompt <<< "$clip"
  references=""
  if [ -n "$cast" ]; then references=$(echo "$cast" | tr ',' '\n' | sed "s|.*|\"$work/&.png\"|" | paste -sd, -); fi
  printf '{"prompt": %s, "reference_images": [%s], "aspect_ratio": "%s", "resolution": "720P", "duration": 4, "seed": %s}\n' \
    "$(printf '%s' "$prompt" | sed 's/\\/\\\\/g; s/"/\\"/g; s/.*/"&"/')" "$references" "$aspect" "$seed" > "$work/$name.json"
  echo "gallery: $name"
  "${paddock[@]}" render "$work/$name.json" -o "$work/$name.mp4" --preset ultrafast --quiet 2>&1 | grep -v '^wrote' || true
  ffmpeg -v error -i "$work/$name.mp4" \
    -vf "select='eq(n\,16)+eq(n\,32)+eq(n\,48)+eq(n\,64)+eq(n\,80)',scale=-2:180:flags=lanczos,tile=5x1:padding=4:color=white" \
    -frames:v 1 -q:v 5 -y "$out/$name.jpg"
  {
    echo "**$name** — \`$prompt\`"
    echo "<br>references: $(if [ -n "$cast" ]; then echo "$cast" | sed 's/,/, /g'; else echo "none (stand-ins)"; fi); $aspect; seed $seed"
    echo
    echo "![$name]($name.jpg)"
    echo
  } >> "$out/README.md"
done

du -ch "$out"/*.jpg | tail -1 | sed 's/^/gallery: /'
