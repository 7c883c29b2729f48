// The Go baseline of scheduler-bench/run-http-bench.sh: net/http answering GET / with the same
// body and headers as gmpj's HttpServerExample ("hello, world\n", Content-Type
// text/plain; charset=utf-8), a goroutine per connection, keep-alive.
//
// Usage: httpserver [port]. Listens on 127.0.0.1:port (default 8080; 0 picks a free one), prints
// "listening on http://127.0.0.1:PORT", and serves until standard input ends or the process gets
// SIGTERM or SIGINT; then shuts down gracefully (http.Server.Shutdown, up to 10 s) and prints how
// many requests it answered. GOMAXPROCS is Go's default, the available processors, unless the
// environment sets it.
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"
)

var hello = []byte("hello, world\n")

func main() {
	port := 8080
	if len(os.Args) > 2 {
		fmt.Fprintln(os.Stderr, "usage: httpserver [port]")
		os.Exit(2)
	}
	if len(os.Args) == 2 {
		p, err := strconv.Atoi(os.Args[1])
		if err != nil || p < 0 || p > 65535 {
			fmt.Fprintf(os.Stderr, "port must be a whole number in 0..65535, got %q\n", os.Args[1])
			os.Exit(2)
		}
		port = p
	}
	var answered atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(hello)
		answered.Add(1)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	srv := &http.Server{Handler: mux}
	stop := make(chan struct{}, 2)
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, os.Interrupt)
	go func() {
		<-signals
		stop <- struct{}{}
	}()
	go func() {
		io.Copy(io.Discard, os.Stdin) // input is ignored: only its end matters
		stop <- struct{}{}
	}()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Printf("listening on http://%s (GOMAXPROCS %d, %s)\n", ln.Addr(), runtime.GOMAXPROCS(0), runtime.Version())
	select {
	case <-stop:
	case err := <-served:
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "shutdown:", err)
	}
	fmt.Printf("shut down: served %d requests\n", answered.Load())
}
