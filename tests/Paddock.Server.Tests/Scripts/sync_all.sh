# The seed page's "Sync / All parameters" example; only spacing the capture broke is repaired.
curl -X POST https://hub.oxen.ai/api/ai/videos/generate \
-H "Content-Type: application/json" \
-H "Authorization: Bearer $OXEN_API_KEY" \
-d '{
"model": "happyhorse-1.0-r2v",
"prompt": "Image 1 walks through a beautiful garden, cinematic lighting.",
"reference_images": [
"https://hub.oxen.ai/api/repos/elau/assets/file/main/bloxy/bloxy_cropped_512x512.png"
],
"aspect_ratio": "16:9",
"resolution": "1080P",
"duration": 5
}'
