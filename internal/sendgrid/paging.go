package sendgrid

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

const maxPages = 2000 // see DESIGN.md, Paging

// listCall is one v3 list: where it is read and how its errors name it.
type listCall struct {
	path     string
	filter   url.Values
	name     string // e.g. calls.V3IPsOfSubuser
	user     string
	ip       string
	notFound error // see call
}

// pageLimits remembers, per path, the page size a too-large answer brought a list down to.
type pageLimits struct {
	max int
	m   sync.Map // path -> int
}

func (p *pageLimits) get(path string) int {
	if v, ok := p.m.Load(path); ok {
		return v.(int)
	}
	return p.max
}

// readList reads a whole list, and reads it once more if it changed while it was read (see DESIGN.md, Paging).
func readList[T any](ctx context.Context, c *v3Backend, lc listCall, decode func(reply) ([]T, error), key func(T) string) ([]T, error) {
	items, err := readPages(ctx, c, lc, decode, key)
	if errors.Is(err, ErrInconsistent) {
		tflog.SubsystemDebug(ctx, LogSubsystem, "list changed while it was read; reading it again", map[string]any{"call": lc.name, "error": err.Error()})
		items, err = readPages(ctx, c, lc, decode, key)
	}
	return items, err
}

// readPages reads page after page (DESIGN.md, "Paging").
func readPages[T any](ctx context.Context, c *v3Backend, lc listCall, decode func(reply) ([]T, error), key func(T) string) ([]T, error) {
	limit := c.limits.get(lc.path)
	var all []T
	seen := map[string]bool{}
	served, offset, last := 0, 0, ""
	var first []byte // the first page's body: a server that ignores offset answers it again
	for n := 0; ; n++ {
		q := url.Values{"limit": {strconv.Itoa(limit)}, "offset": {strconv.Itoa(offset)}}
		for k, v := range lc.filter {
			q[k] = v
		}
		r, err := c.send(ctx, call{method: http.MethodGet, url: &url.URL{Path: lc.path, RawQuery: q.Encode()}, name: lc.name, user: lc.user, ip: lc.ip, notFound: lc.notFound})
		if n >= maxPages {
			return nil, r.fail(ErrUnreadable, nil, fmt.Errorf("more than %d pages: the list does not end", maxPages))
		}
		var page []T
		if err == nil {
			page, err = decode(r)
		}
		if errors.Is(err, ErrTooLarge) && limit > 1 {
			limit = max(limit/2, 1)
			c.limits.m.Store(lc.path, limit)
			continue
		}
		if err != nil {
			return nil, err
		}
		got := len(page)
		if got > limit {
			return nil, r.fail(ErrUnreadable, nil, fmt.Errorf("a page of %d items, more than the limit of %d asked for", got, limit))
		}
		if offset == 0 {
			first = r.body
		} else if len(all) < limit && bytes.Equal(r.body, first) {
			return all, nil // offset ignored, and the first page held less than asked: it held everything
		}
		if last != "" {
			if got == 0 {
				return nil, r.fail(ErrInconsistent, nil, fmt.Errorf("the page at offset %d is empty, but should begin with %s, the last item of the page before", offset, last))
			}
			if k := key(page[0]); k != last {
				return nil, r.fail(ErrInconsistent, nil, fmt.Errorf("the page at offset %d begins with %s instead of %s, the last item of the page before", offset, k, last))
			}
			page = page[1:]
		}
		for _, item := range page {
			k := key(item)
			if seen[k] {
				return nil, r.fail(ErrInconsistent, nil, fmt.Errorf("%s is listed twice", k))
			}
			seen[k] = true
		}
		all = append(all, page...)
		served = max(served, got)
		if got == 0 || got < min(served, limit) {
			return all, nil
		}
		if got >= 2 {
			offset, last = offset+got-1, key(page[len(page)-1])
		} else {
			offset, last = offset+got, ""
		}
	}
}
