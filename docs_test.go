package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDocsRepeatNothing fails on a heading repeated on one page, or a paragraph repeated verbatim
// on one page, in docs/ and the README: both are signs of a page edited in two places.
func TestDocsRepeatNothing(t *testing.T) {
	pages := []string{"README.md", "DESIGN.md"}
	err := filepath.WalkDir("docs", func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".md") {
			pages = append(pages, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) < 5 {
		t.Fatalf("found only %v", pages)
	}
	for _, page := range pages {
		text, err := os.ReadFile(page) //nolint:gosec // pages of this repository, found above
		if err != nil {
			t.Fatal(err)
		}
		for _, dup := range repeats(string(text)) {
			t.Errorf("%s repeats %q", page, dup)
		}
	}
}

// repeats lists the headings and paragraphs (outside code blocks) that a page has twice.
func repeats(page string) []string {
	seen := map[string]bool{}
	var out []string
	note := func(block string) {
		block = strings.TrimSpace(block)
		if block == "" || strings.HasPrefix(block, "|") || strings.HasPrefix(block, "---") || len(block) < 20 && !strings.HasPrefix(block, "#") {
			return // tables, front matter and short lines such as "Example:" may repeat
		}
		if seen[block] {
			out = append(out, block)
		}
		seen[block] = true
	}
	var para strings.Builder
	fenced := false
	for _, line := range strings.Split(page, "\n") {
		switch {
		case strings.HasPrefix(line, "```"):
			fenced = !fenced
			note(para.String())
			para.Reset()
		case fenced:
		case strings.HasPrefix(line, "#"):
			note(para.String())
			para.Reset()
			note(line)
		case strings.TrimSpace(line) == "":
			note(para.String())
			para.Reset()
		default:
			para.WriteString(line + "\n")
		}
	}
	note(para.String())
	return out
}

func TestRepeatsFindsRepeats(t *testing.T) {
	page := "# A\n\nSome paragraph of text here.\n\n## Import\n\n```\ncode\ncode\n```\n\n## Import\n\nSome paragraph of text here.\n"
	if got := repeats(page); len(got) != 2 || got[0] != "## Import" || got[1] != "Some paragraph of text here." {
		t.Fatalf("repeats = %q", got)
	}
}
