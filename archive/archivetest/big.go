package archivetest

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
)

// BigOptions sizes a synthetic export.
type BigOptions struct {
	Toots      int   // posts in outbox.json
	Follows    int   // rows in following_accounts.csv
	MediaBytes int64 // spread over files of about 2 MiB
}

// DefaultBig is the benchmark's export: about 1 GiB, mostly media.
var DefaultBig = BigOptions{Toots: 100_000, Follows: 5_000, MediaBytes: 950 << 20}

// bigFiles streams the entries of a synthetic export to add, which writes
// one entry from a reader.
func bigFiles(o BigOptions, add func(name string, size int64, r io.Reader) error) error {
	var fc strings.Builder
	fc.WriteString("Account address,Show boosts,Notify on new posts,Languages\n")
	for i := 0; i < o.Follows; i++ {
		fmt.Fprintf(&fc, "user%d@server%d.example,true,false,\n", i, i%97)
	}
	if err := add("following_accounts.csv", int64(fc.Len()), strings.NewReader(fc.String())); err != nil {
		return err
	}
	if err := add("outbox.json", outboxSize(o.Toots), outboxReader(o.Toots)); err != nil {
		return err
	}
	const file = 2 << 20
	rng := rand.NewChaCha8([32]byte{1})
	for i, left := 0, o.MediaBytes; left > 0; i++ {
		n := min(int64(file), left)
		name := fmt.Sprintf("media_attachments/files/%03d/%03d/original/%06d.jpg", i/1000, i%1000, i)
		if err := add(name, n, io.LimitReader(rng, n)); err != nil {
			return err
		}
		left -= n
	}
	return add("actor.json", int64(len(actorJSON())), strings.NewReader(string(actorJSON())))
}

// WriteBigZip writes the synthetic export as a zip: text deflated, media
// stored, as Mastodon's archive does.
func WriteBigZip(path string, o BigOptions) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	zw := zip.NewWriter(bw)
	err = bigFiles(o, func(name string, size int64, r io.Reader) error {
		method := zip.Deflate
		if strings.HasPrefix(name, "media_attachments/") {
			method = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: stamp})
		if err != nil {
			return err
		}
		_, err = io.Copy(w, r)
		return err
	})
	return closeAll(err, zw.Close, bw.Flush, f.Close)
}

// WriteBigTarGz writes the same export as a tar.gz, as Mastodon did
// before 4.2.
func WriteBigTarGz(path string, o BigOptions) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	gw, _ := gzip.NewWriterLevel(bw, gzip.BestSpeed)
	tw := tar.NewWriter(gw)
	err = bigFiles(o, func(name string, size int64, r io.Reader) error {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: size, ModTime: stamp, Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		_, err := io.Copy(tw, r)
		return err
	})
	return closeAll(err, tw.Close, gw.Close, bw.Flush, f.Close)
}

// closeAll runs every closer in order and returns the first error.
func closeAll(err error, closers ...func() error) error {
	for _, c := range closers {
		if cerr := c(); err == nil {
			err = cerr
		}
	}
	return err
}
