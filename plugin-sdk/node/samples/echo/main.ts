// The echo sample in TypeScript: returns each event's payload unchanged, with its content type.
import { runPlugin } from '@plugin-supervisor/sdk';

void runPlugin({
  handleEvent: (event) => ({ payload: event.payload, contentType: event.contentType }),
});
