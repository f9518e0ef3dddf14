# The seed page's "Fetch model details" example; only spacing the capture broke is repaired.
curl -H "Authorization: Bearer $OXEN_API_KEY" https://hub.oxen.ai/api/ai/models/happyhorse-1.0-r2v
