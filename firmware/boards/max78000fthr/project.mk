# project.mk - settings of the ferhil MAX78000FTHR agent (read by Makefile; each can be given
# on the make command line instead).

# Board support package: the MAX78000FTHR.
BOARD ?= FTHR_RevA

# Console / protocol UART: UART0, routed by the FTHR to the MAX32625PICO's USB virtual COM port.
HAL_UART_BAUD ?= 115200
PROJ_CFLAGS += -DHAL_UART_BAUD=$(HAL_UART_BAUD)

# Power-meter trigger: P2.0 (LED1, red; active-low LED). By default the pin is driven LOW while an
# inference runs (LED1 lights): trigger the meter on the falling edge, or set
# HAL_TRIGGER_ACTIVE_LOW=0 for an active-high pulse. To use a header pin instead, set
# HAL_TRIGGER_PORT (0..3) and HAL_TRIGGER_PIN (0..31).
HAL_TRIGGER_PORT ?= 2
HAL_TRIGGER_PIN ?= 0
HAL_TRIGGER_ACTIVE_LOW ?= 1
PROJ_CFLAGS += -DHAL_TRIGGER_PORT=$(HAL_TRIGGER_PORT) -DHAL_TRIGGER_PIN=$(HAL_TRIGGER_PIN)
PROJ_CFLAGS += -DHAL_TRIGGER_ACTIVE_LOW=$(HAL_TRIGGER_ACTIVE_LOW)

# Build identity (firmware/builder/build.py passes the firmware hash).
FERHIL_BUILD_HASH ?= unknown
FERHIL_BUILD_ID ?= 0u
PROJ_CFLAGS += -DFIRMWARE_BUILD_HASH=\"$(FERHIL_BUILD_HASH)\" -DFIRMWARE_BUILD_ID=$(FERHIL_BUILD_ID)

# CNN backend: 0 = ferhil's portable kernels on the Cortex-M4 (generated ../gen/cnn.c);
# 1 = ADI's accelerator code from ai8xize.py in ../adi (build.py: ADI_CNN_DIR=<izer output>).
# ADI_INPUT_CHW=1 when the izer YAML's first layer uses data_format: CHW (one channel).
FERHIL_ADI_BACKEND ?= 0
ADI_INPUT_CHW ?= 0
ifeq "$(FERHIL_ADI_BACKEND)" "1"
PROJ_CFLAGS += -DFERHIL_ADI_BACKEND=1 -DADI_INPUT_CHW=$(ADI_INPUT_CHW)
# cnn_enable() arguments the agent passes: the CNN clock is PCLK / 1 (ADI's default).
PROJ_CFLAGS += -include max78000.h
PROJ_CFLAGS += -DHAL_CNN_CLOCK_SOURCE=MXC_S_GCR_PCLKDIV_CNNCLKSEL_PCLK
PROJ_CFLAGS += -DHAL_CNN_CLOCK_DIVIDER=MXC_S_GCR_PCLKDIV_CNNCLKDIV_DIV1
endif
