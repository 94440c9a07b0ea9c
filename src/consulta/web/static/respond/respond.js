// Progressive enhancement only: every page works without this script. Browsers that run
// modules get GOV.UK Frontend's live character count, and focus moved to the error summary
// or to the notice of a co-author's change when the page loads.
import {
  Button,
  CharacterCount,
  ErrorSummary,
  NotificationBanner,
  SkipLink,
  createAll,
} from "./govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
createAll(SkipLink);
createAll(Button);
createAll(ErrorSummary);
createAll(NotificationBanner);
createAll(CharacterCount);
