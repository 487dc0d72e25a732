# Cairn: the two commands the README promises, plus the longer ones.
#
#   make demo     installs missing system packages, builds release, trains the example (stopping and resuming
#                 it halfway), asks it questions
#   make test     installs missing system packages, builds, runs the whole test suite (what CI runs)
#   make stress   the long randomized campaigns (hundreds of kills, big fuzz runs)
#   make bench    the benchmarks of DESIGN.md §10 (figures, not tests)

SWIFT ?= swift
APT_PACKAGES := libyaml-dev libopenblas-dev libxxhash-dev libmpich-dev mpich
DEMO_CONFIG := Examples/configs/qwen3-tiny-sft.yaml
DEMO_OUTPUT := outputs/qwen3-tiny-sft
CAIRN := .build/release/cairn
EXAMPLE := Examples/CustomStrategy

.PHONY: deps build release test example-test demo stress bench clean

# Installs the Debian packages Cairn links against, only those missing (root, or sudo when available).
deps:
	@missing=""; for package in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "==> installing Debian packages:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi; \
		$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product cairn

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	$(MAKE) example-test

# The third-party strategy example is its own package (Cairn by path): build it and run its conformance tests.
example-test:
	cd $(EXAMPLE) && $(SWIFT) build --build-tests --scratch-path .build-example
	cd $(EXAMPLE) && $(SWIFT) test --skip-build --scratch-path .build-example

# Trains the example, stopping after step 250 as a preemption would (a checkpoint is saved), resumes it to the
# end from that checkpoint, then asks the model a few questions.
demo: release
	rm -rf $(DEMO_OUTPUT)
	$(CAIRN) train $(DEMO_CONFIG) --stop-after-step 250
	$(CAIRN) train $(DEMO_CONFIG) resume_from_checkpoint=auto
	$(CAIRN) generate $(DEMO_OUTPUT) --prompt "What is 7 times 8?" --prompt "What is 5 plus 9?" --prompt "Capital of Japan?" --prompt "Opposite of hot?"

stress: deps
	$(SWIFT) build --build-tests
	CAIRN_STRESS=1 $(SWIFT) test --skip-build

bench: release
	$(CAIRN) bench train
	$(CAIRN) bench checkpoint

clean:
	rm -rf .build outputs $(EXAMPLE)/.build-example
