"""Money received online: provider backends (providers/), their webhooks, card holds."""
