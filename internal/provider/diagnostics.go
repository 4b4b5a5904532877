package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgrid"
)

// apiErrorDetail turns a client error into a diagnostic detail: what
// happened (the client's message names the call, the subuser and quotes
// SendGrid), then what the user can do about it.
func apiErrorDetail(err error) string {
	hint := ""
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		hint = "The operation did not finish in time. The resource's timeouts block and the provider's request_timeout set the limits; requests_per_minute paces every call."
	case errors.Is(err, sendgrid.ErrInterrupted):
		hint = "Ctrl-C stopped this call; the next plan reads what SendGrid holds."
	case errors.Is(err, context.Canceled):
		hint = "The operation was interrupted before SendGrid answered; the next plan reads what SendGrid holds."
	case errors.Is(err, sendgrid.ErrBadCredentials):
		hint = "Check api_key (or " + envAPIKey + "), and on v2 api_user (or " + envAPIUser + "). A v3 key also needs the scopes of the call named above."
	case errors.Is(err, sendgrid.ErrSubuserNotFound):
		hint = "Check the subuser's name; it must be an existing subuser of this reseller account."
	case errors.Is(err, sendgrid.ErrRateLimited):
		hint = "SendGrid kept answering 429 after every retry. Lower requests_per_minute or raise max_retries in the provider block."
	case errors.Is(err, sendgrid.ErrServer), errors.Is(err, sendgrid.ErrTransport):
		hint = "This is usually transient: run the command again. max_retries and request_timeout in the provider block control retries."
	case errors.Is(err, sendgrid.ErrWrongEndpoint):
		hint = "Check base_url (or " + envBaseURL + "): it must be SendGrid's host root (v3) or apiv2/ prefix (v2), not a proxy's page or a path under it. Nothing was recorded from this answer."
	case errors.Is(err, sendgrid.ErrInconsistent):
		hint = "SendGrid's list changed while it was read, twice in a row; nothing was recorded from it. Run the command again when changes to the account have settled."
	case errors.Is(err, sendgrid.ErrTooLarge):
		hint = "Even a page of one item was larger than the client reads; nothing was recorded from it. Report it with the call named above."
	case errors.Is(err, sendgrid.ErrUnreadable):
		hint = "SendGrid's answer was not one this provider knows; nothing was recorded from it. Run the command again; if it persists, report it with the details above."
	}
	if hint == "" {
		return err.Error()
	}
	return fmt.Sprintf("%s\n\n%s", err.Error(), hint)
}
