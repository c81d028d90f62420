"""Messages generated from protos/ by generate-protos.sh (checked in: see that script for why). Do not edit."""
