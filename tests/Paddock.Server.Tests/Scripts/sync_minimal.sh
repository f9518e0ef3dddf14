# The seed page's "Sync / Minimal" example; only spacing the capture broke is repaired.
curl -X POST https://hub.oxen.ai/api/ai/videos/generate \
-H "Content-Type: application/json" \
-H "Authorization: Bearer $OXEN_API_KEY" \
-d '{
"model": "happyhorse-1.0-r2v",
"prompt": "Image 1 walks through a beautiful garden, cinematic lighting."
}'
