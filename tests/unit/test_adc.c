/*
 * Unit tests for the ADC path: ADS1x15 register encoding
 * (slave/io/adc_ads1x15.c), units, calibration tables, smoothing, deadband
 * and alarm hysteresis (slave/io/adc.c), the config directives
 * (slave/io/hwconf.c), and a channel sampled on the event loop through a
 * fake backend that can fail: reports, alarms, fault, stale, back-off,
 * recovery.
 */

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "hwtest.h"

#define NEAR(a, b)	(fabs((a) - (b)) < 1e-9)

static void
test_encoding(void)
{
	int mux, pga, sps;

	CHECK(ads_config(ADC_ADS1115, ADS_MUX_SINGLE_0, 1, 128) == 0xc383,
	    "ADS1115 a0 4.096 V 128 SPS single-shot: 0xc383");
	CHECK(ads_config(ADC_ADS1115, ADS_MUX_DIFF_0_1, 2, 8) == 0x8503,
	    "ADS1115 a0-a1 2.048 V 8 SPS: 0x8503");
	CHECK(ads_config(ADC_ADS1015, ADS_MUX_SINGLE_0 + 3, 5, 3300) ==
	    0xfbc3, "ADS1015 a3 0.256 V 3300 SPS: 0xfbc3");
	CHECK(ads_config(ADC_ADS1115, ADS_MUX_DIFF_2_3, 0, 860) == 0xb1e3,
	    "ADS1115 a2-a3 6.144 V 860 SPS: 0xb1e3");
	CHECK(ads_config_decode(ADC_ADS1115, 0xc383, &mux, &pga, &sps) == 0 &&
	    mux == ADS_MUX_SINGLE_0 && pga == 1 && sps == 128,
	    "decode gives back mux, gain and rate");
	CHECK(ads_config_decode(ADC_ADS1115, 0x8483, &mux, &pga, &sps) == -1,
	    "continuous mode is not ours");
	CHECK(ads_config_ready(0x8583) && !ads_config_ready(0x0583),
	    "OS bit read: 1 idle, 0 converting");
	CHECK(ads_mux_parse("a2-a3") == ADS_MUX_DIFF_2_3 &&
	    ads_mux_parse("a1") == ADS_MUX_SINGLE_0 + 1 &&
	    ads_mux_parse("a4") == -1 && ads_mux_parse("a1-a2") == -1,
	    "inputs: 4 single-ended and the 4 differential pairs only");
	CHECK(ads_pga_parse(4.096) == 1 && ads_pga_parse(0.256) == 5 &&
	    ads_pga_parse(3.3) == -1, "gains by full-scale volts");
	CHECK(ads_rate_code(ADC_ADS1115, 860) == 7 &&
	    ads_rate_code(ADC_ADS1015, 8) == -1 &&
	    ads_rate_code(ADC_ADS1015, 1600) == 4,
	    "rates per chip");
	CHECK(ads_conv_ms(860) == 3 && ads_conv_ms(128) == 10 &&
	    ads_conv_ms(8) == 139, "conversion wait: period + 10%% + 1 ms");
	CHECK(NEAR(ads_volts(ADC_ADS1115, 1, 0x4000), 2.048) &&
	    NEAR(ads_volts(ADC_ADS1115, 1, 0x8000), -4.096) &&
	    NEAR(ads_volts(ADC_ADS1115, 1, 0xffff), -4.096 / 32768),
	    "ADS1115: 16-bit two's complement");
	CHECK(NEAR(ads_volts(ADC_ADS1015, 2, 0x7ff0), 2.047) &&
	    NEAR(ads_volts(ADC_ADS1015, 2, 0xfff0), -0.001),
	    "ADS1015: 12 bits left-justified");
}

static void
test_math(void)
{
	struct adc_chan_conf	c;
	double			w[5] = { 3, 100, 2, 4, 1 };
	double			e[4] = { 1, 2, 3, 10 };

	memset(&c, 0, sizeof(c));
	c.scale = 25;
	c.offset = -12.5;
	CHECK(NEAR(adc_units(&c, 1.0), 12.5), "scale and offset");
	c.ntable = 3;
	c.table[0] = (struct adc_point){ 0.5, 0 };
	c.table[1] = (struct adc_point){ 1.0, 100 };
	c.table[2] = (struct adc_point){ 2.0, 150 };
	CHECK(NEAR(adc_units(&c, 0.75), 50) && NEAR(adc_units(&c, 1.5), 125),
	    "table: linear between points");
	CHECK(NEAR(adc_units(&c, 1.0), 100), "table: on a point");
	CHECK(NEAR(adc_units(&c, 0.1), 0) && NEAR(adc_units(&c, 3), 150),
	    "table: clamped outside its range");
	CHECK(NEAR(adc_smooth(ADC_SMOOTH_MEDIAN, w, 5), 3),
	    "median of 5 ignores the spike");
	CHECK(NEAR(adc_smooth(ADC_SMOOTH_MEDIAN, e, 4), 2.5),
	    "median of 4: mean of the middle two");
	CHECK(NEAR(adc_smooth(ADC_SMOOTH_AVERAGE, e, 4), 4), "average");
	CHECK(NEAR(adc_smooth(ADC_SMOOTH_NONE, e, 4), 10), "none: latest");
	CHECK(adc_deadband_pass(0.5, 0, 0, 0), "deadband: first always");
	CHECK(!adc_deadband_pass(0.5, 1, 10, 10.4) &&
	    adc_deadband_pass(0.5, 1, 10, 10.5) &&
	    adc_deadband_pass(0.5, 1, 10, 9.5), "deadband: |change| >= D");
	CHECK(!adc_deadband_pass(0, 1, 10, 10) &&
	    adc_deadband_pass(0, 1, 10, 10.001), "deadband 0: any change");

	memset(&c, 0, sizeof(c));
	c.has_high = c.has_low = 1;
	c.high = 80;
	c.low = 20;
	c.hyst = 5;
	CHECK(adc_alarm_next(&c, 0, 79.9) == 0 &&
	    adc_alarm_next(&c, 0, 80) == 1, "high raised at the threshold");
	CHECK(adc_alarm_next(&c, 1, 76) == 1 && adc_alarm_next(&c, 1, 75) == 1 &&
	    adc_alarm_next(&c, 1, 74.9) == 0,
	    "high cleared only below threshold - hysteresis");
	CHECK(adc_alarm_next(&c, 0, 20) == -1 &&
	    adc_alarm_next(&c, -1, 25) == -1 &&
	    adc_alarm_next(&c, -1, 25.1) == 0, "low, with hysteresis");
	CHECK(adc_alarm_next(&c, -1, 90) == 1, "low straight to high");
}

static void
test_config(void)
{
	struct slave	*s = hw_slave();
	char		 err[256];
	const struct adc_chan_conf *c;

	if (!CHECK(s != NULL, "slave"))
		return;
	CHECK(hw_line(s, "adc-chip a type ads1015 bus 1 address 0x49 "
	    "backend sim", err, sizeof(err)) == 0, "adc-chip (%s)", err);
	CHECK(hw_line(s, "adc-channel t chip a input a1-a3 gain 0.512 rate "
	    "2400 interval 250 table \"0:-10,1:30\" unit °C smooth average 8 "
	    "deadband 0.2 alarm-low 0 alarm-high 25 hysteresis 1 room Loft",
	    err, sizeof(err)) == 0, "adc-channel with every option (%s)", err);
	c = &s->conf.hw->adc_chans[0];
	CHECK(c->mux == ADS_MUX_DIFF_1_3 && c->pga == 4 && c->sps == 2400 &&
	    c->interval_ms == 250 && c->ntable == 2 &&
	    c->smooth == ADC_SMOOTH_AVERAGE && c->window == 8 &&
	    NEAR(c->deadband, 0.2) && c->has_low && c->has_high &&
	    strcmp(c->unit, "°C") == 0 && strcmp(c->room, "Loft") == 0,
	    "every option lands in the channel");
	CHECK(hw_line(s, "adc-channel u chip b input a0", err,
	    sizeof(err)) == -1 && strstr(err, "unknown chip") != NULL,
	    "unknown chip refused (%s)", err);
	CHECK(hw_line(s, "adc-channel u chip a input a0 smooth median 17",
	    err, sizeof(err)) == -1, "window past ADC_MAX_SMOOTH refused");
	CHECK(hw_line(s, "adc-channel u chip a input a0 scale 2 table "
	    "\"0:0,1:1\"", err, sizeof(err)) == -1 &&
	    strstr(err, "not both") != NULL, "scale and table refused");
	CHECK(hw_line(s, "adc-channel u chip a input a0 alarm-low 5 "
	    "alarm-high 5", err, sizeof(err)) == -1, "low >= high refused");
	CHECK(hw_line(s, "adc-channel t chip a input a0", err,
	    sizeof(err)) == -1 && strstr(err, "twice") != NULL,
	    "a channel name twice refused");
	CHECK(hw_line(s, "adc-channel u chip a input a0 interval 5", err,
	    sizeof(err)) == -1, "interval below ADC_MIN_INTERVAL_MS refused");
	CHECK(hw_line(s, "adc-channel u chip a input a0 gain", err,
	    sizeof(err)) == -1 && strstr(err, "needs a value") != NULL,
	    "an option without its value refused");
	hw_slave_free(s);
}

/* A fake chip: answers with `volts`, or fails on demand. */
static struct {
	int	opens, fail_open, fail_io, writes;
	double	volts;
} fk;

static void *
fk_open(const struct hwconf *hw, int chip, char *err, size_t errlen)
{
	(void)hw;
	(void)chip;
	fk.opens++;
	if (fk.fail_open) {
		snprintf(err, errlen, "chip gone");
		return NULL;
	}
	return &fk;
}

static int
fk_write(void *h, uint8_t reg, uint16_t v)
{
	(void)h;
	if (fk.fail_io)
		return -1;
	fk.writes += reg == ADS_REG_CONFIG && v == 0xc383;
	return 0;
}

static int
fk_read(void *h, uint8_t reg, uint16_t *v)
{
	(void)h;
	if (fk.fail_io)
		return -1;
	*v = reg == ADS_REG_CONFIG ? 0x8583 :
	    (uint16_t)(int16_t)lround(fk.volts / 4.096 * 32768);
	return 0;
}

static void
fk_close(void *h)
{
	(void)h;
}

static const struct adc_backend fake = {
	"fake", fk_open, fk_write, fk_read, fk_close
};

struct seen {
	int	nvalue, nalarm, faults_on, faults_off, stale, flagless;
	double	last;
	char	alarm[16];
};

static void
collect(const Hd__Envelope *e, void *arg)
{
	struct seen *w = arg;

	if (e->body_case == HD__ENVELOPE__BODY_FAULT) {
		if (e->fault->active)
			w->faults_on++;
		else
			w->faults_off++;
		return;
	}
	if (e->body_case != HD__ENVELOPE__BODY_REPORT ||
	    strcmp(e->report->device_id, "adc:t") != 0)
		return;
	if (strcmp(e->report->key, "value") == 0) {
		w->nvalue++;
		w->last = e->report->value->d;
		if (e->report->stale && e->report->fault)
			w->stale++;
		else if (!e->report->stale && !e->report->fault)
			w->flagless++;
	} else if (strcmp(e->report->key, "alarm") == 0) {
		w->nalarm++;
		snprintf(w->alarm, sizeof(w->alarm), "%s", e->report->value->s);
	}
}

static void
step(struct slave *s, double volts, uint64_t ms, struct seen *w)
{
	memset(w, 0, sizeof(*w));
	fk.volts = volts;
	hw_run(s, ms);
	hw_drain(s, collect, w);
}

static void
test_channel(void)
{
	struct slave	*s = hw_slave();
	struct seen	 w;
	char		 err[256];
	int		 opens;

	if (!CHECK(s != NULL, "slave"))
		return;
	hw_line(s, "adc-chip c type ads1115 bus 1 address 0x48 backend sim",
	    err, sizeof(err));
	CHECK(hw_line(s, "adc-channel t chip c input a0 interval 40 scale 10 "
	    "deadband 1 alarm-high 20 hysteresis 2", err, sizeof(err)) == 0,
	    "channel config (%s)", err);
	s->conf.hw->adc_chips[0].be = &fake;
	fk.volts = 1.0;
	if (!CHECK(adc_start(s) == 0 && dev_find(s, "adc:t") != NULL,
	    "adc_start registers adc:t"))
		return;
	step(s, 1.0, 300, &w);
	CHECK(fk.writes >= 3, "conversions started with the channel's "
	    "config word (%d)", fk.writes);
	CHECK(w.nvalue == 1 && NEAR(round(w.last * 100) / 100, 10),
	    "first reading reported once, then nothing while it holds "
	    "(%d reports, %g)", w.nvalue, w.last);
	CHECK(w.nalarm == 1 && strcmp(w.alarm, "none") == 0,
	    "alarm state reported at first: none");
	step(s, 1.05, 200, &w);
	CHECK(w.nvalue == 0, "a change inside the deadband is not reported");
	step(s, 2.1, 200, &w);
	CHECK(w.nvalue == 1 && fabs(w.last - 21) < 0.01 && w.nalarm == 1 &&
	    strcmp(w.alarm, "high") == 0, "21 >= 20: value and alarm high");
	step(s, 1.9, 200, &w);
	CHECK(w.nvalue == 1 && w.nalarm == 0,
	    "19 is within the hysteresis: the alarm holds");
	step(s, 1.7, 200, &w);
	CHECK(w.nalarm == 1 && strcmp(w.alarm, "none") == 0,
	    "17 < 20 - 2: alarm cleared");

	fk.fail_io = fk.fail_open = 1;
	opens = fk.opens;
	step(s, 1.7, 3500, &w);
	CHECK(w.faults_on == 1, "a read error raises one fault (%d)",
	    w.faults_on);
	CHECK(w.stale >= 1, "the last value is re-sent stale and faulted");
	CHECK(fk.opens - opens >= 1 && fk.opens - opens <= 2,
	    "re-opened with back-off, not in a loop (%d tries in 3.5 s)",
	    fk.opens - opens);
	fk.fail_io = fk.fail_open = 0;
	step(s, 1.2, 5000, &w);
	CHECK(w.faults_off == 1, "the fault clears once the chip answers");
	CHECK(w.flagless >= 1 && fabs(w.last - 12) < 0.01,
	    "fresh value after recovery, without flags (%g)", w.last);
	adc_stop(s);
	CHECK(s->ndevs == 0, "adc_stop removes its devices");
	hw_slave_free(s);
}

int
main(void)
{
	log_init("test_adc", 0);
	test_encoding();
	test_math();
	test_config();
	test_channel();
	return check_done();
}
