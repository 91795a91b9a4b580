package pages

import (
	"encoding/xml"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

// htmlNode is an element of a parsed page. The page is parsed with
// encoding/xml in its HTML mode (void elements closed, HTML entities
// known), which is enough for markup the page writes itself and keeps the
// module free of an HTML parser; an unbalanced tag fails the parse.
type htmlNode struct {
	name string
	attr map[string]string // names in lower case
	kids []*htmlNode
	buf  strings.Builder // all text inside, with the children's
}

// parsePage parses a page and fails the test if it is not well formed.
func parsePage(t testing.TB, page string) *htmlNode {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(page))
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	d.Entity = xml.HTMLEntity
	root := &htmlNode{name: "#document", attr: map[string]string{}}
	stack := []*htmlNode{root}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("the page does not parse: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &htmlNode{name: strings.ToLower(tok.Name.Local), attr: map[string]string{}}
			for _, a := range tok.Attr {
				name := a.Name.Local
				if a.Name.Space != "" {
					name = a.Name.Space + ":" + name
				}
				n.attr[strings.ToLower(name)] = a.Value
			}
			top := stack[len(stack)-1]
			top.kids = append(top.kids, n)
			stack = append(stack, n)
		case xml.EndElement:
			if len(stack) == 1 || stack[len(stack)-1].name != strings.ToLower(tok.Name.Local) {
				t.Fatalf("the page does not parse: </%s> closes <%s>", tok.Name.Local, stack[len(stack)-1].name)
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			for _, n := range stack {
				n.buf.Write(tok)
			}
		}
	}
	if len(stack) != 1 {
		t.Fatalf("the page does not parse: <%s> is not closed", stack[len(stack)-1].name)
	}
	return root
}

// all returns the elements under n of a name and, unless class is empty,
// of that class, in document order.
func (n *htmlNode) all(name, class string) []*htmlNode {
	var out []*htmlNode
	for _, k := range n.kids {
		if k.name == name && (class == "" || slices.Contains(strings.Fields(k.attr["class"]), class)) {
			out = append(out, k)
		}
		out = append(out, k.all(name, class)...)
	}
	return out
}

// text returns the text under n.
func (n *htmlNode) text() string { return n.buf.String() }

// rows returns the texts of the cells of the body rows of the tables of a
// class.
func (n *htmlNode) rows(class string) [][]string {
	var out [][]string
	for _, table := range n.all("table", class) {
		for _, body := range table.all("tbody", "") {
			for _, tr := range body.all("tr", "") {
				var cells []string
				for _, td := range tr.all("td", "") {
					cells = append(cells, strings.TrimSpace(td.text()))
				}
				out = append(out, cells)
			}
		}
	}
	return out
}
